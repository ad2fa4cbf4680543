// compileSeccomp (husk_core.node) turns normalized profiles into BPF that the kernel
// accepts and enforces. The filters are loaded by core-c/tests/seccomp_probe.c, built
// here with gcc and run as a child process (Bun itself never loads a filter). No root
// needed: the probe sets no_new_privs, which lets any process install a filter.
//
// The addon is found with node-gyp-build (build/Release/husk_core.node); HUSK_CORE_ADDON
// may point at another build of it. The file is skipped when neither is there.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { dockerDefaultSeccomp } from "../../src/oci/seccomp/docker-default.ts";
import { encodeNormalizedSeccomp, normalizeSeccomp } from "../../src/oci/seccomp/normalize.ts";
import type { LinuxSeccomp } from "../../src/oci/seccomp/types.ts";

interface Compiled {
  bpf: Buffer;
  flags: number;
  unknownSyscalls: string[];
}
interface SeccompAddon {
  compileSeccomp(encoded: string): Compiled;
}

const ROOT = path.join(import.meta.dir, "../..");

function loadAddon(): { addon?: SeccompAddon; reason: string } {
  try {
    const addon = process.env.HUSK_CORE_ADDON
      ? require(path.resolve(process.env.HUSK_CORE_ADDON))
      : require("node-gyp-build")(ROOT);
    if (typeof addon?.compileSeccomp !== "function") return { reason: "husk_core.node has no compileSeccomp" };
    return { addon, reason: "" };
  } catch (e) {
    return { reason: `husk_core.node is not built (${(e as Error).message.split("\n")[0]})` };
  }
}

const { addon, reason } = loadAddon();
const kernelHasSeccomp = /^Seccomp:/m.test(readFileSync("/proc/self/status", "utf8"));
const gcc = Bun.which("gcc");
if (!addon) console.warn(`seccomp-compile: skipped: ${reason}`);

const DOCKER_DEFAULT_CAPS = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];
const SCMP_ACT_ALLOW = 0x7fff0000;
const AF_UNIX = 1;
const AF_INET = 2;
const AF_ALG = 38;
const AF_VSOCK = 40;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_SEQPACKET = 5;
const CLONE_NEWNS = 0x20000;

const compileSpec = (spec: LinuxSeccomp): Compiled => addon!.compileSeccomp(encodeNormalizedSeccomp(normalizeSeccomp(spec)));
const compileLines = (lines: string[]): Compiled => addon!.compileSeccomp(lines.join("\n") + "\n");
const errOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
};

describe.skipIf(!addon)("compileSeccomp", () => {
  const allowAllBut = (name: string, errnoRet: number): LinuxSeccomp => ({
    defaultAction: "SCMP_ACT_ALLOW",
    syscalls: [{ names: [name], action: "SCMP_ACT_ERRNO", errnoRet }],
  });

  test("produces whole BPF instructions, deterministically", () => {
    const a = compileSpec(allowAllBut("mkdir", 1));
    expect(a.bpf).toBeInstanceOf(Buffer);
    expect(a.bpf.length).toBeGreaterThan(0);
    expect(a.bpf.length % 8).toBe(0);
    expect(a.flags).toBe(0);
    expect(a.unknownSyscalls).toEqual([]);
    expect(compileSpec(allowAllBut("mkdir", 1)).bpf.equals(a.bpf)).toBe(true);
  });

  test("different profiles give different programs", () => {
    const progs = [
      compileSpec(allowAllBut("mkdir", 1)).bpf,
      compileSpec(allowAllBut("mkdir", 2)).bpf,
      compileSpec(allowAllBut("rmdir", 1)).bpf,
      compileSpec({ ...allowAllBut("mkdir", 1), architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"] }).bpf,
    ];
    const distinct = new Set(progs.map((b) => b.toString("hex")));
    expect(distinct.size).toBe(progs.length);
  });

  test("unknown syscall names are skipped and reported", () => {
    const r = compileSpec({
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{ names: ["mkdir", "no_such_syscall_1", "no_such_syscall_2", "no_such_syscall_1"], action: "SCMP_ACT_ERRNO" }],
    });
    expect(r.unknownSyscalls).toEqual(["no_such_syscall_1", "no_such_syscall_2"]);
    expect(r.bpf.equals(compileSpec(allowAllBut("mkdir", 1)).bpf)).toBe(true);
  });

  test("rules repeating the default action are skipped", () => {
    const r = compileSpec({
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [
        { names: ["read", "write"], action: "SCMP_ACT_ALLOW" },
        { names: ["mkdir"], action: "SCMP_ACT_ERRNO" },
      ],
    });
    expect(r.bpf.equals(compileSpec(allowAllBut("mkdir", 1)).bpf)).toBe(true);
  });

  test("flags: passed through; NOTIFY adds NEW_LISTENER and drops TSYNC", () => {
    const log = compileSpec({ ...allowAllBut("mkdir", 1), flags: ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"] });
    expect(log.flags).toBe(2 | 4);
    // WAIT_KILLABLE_RECV means nothing without a listener; the kernel would refuse it.
    expect(compileSpec({ ...allowAllBut("mkdir", 1), flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] }).flags).toBe(0);
    const notify = compileSpec({
      defaultAction: "SCMP_ACT_ALLOW",
      listenerPath: "/run/notify.sock",
      flags: ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
      syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_NOTIFY" }],
    });
    expect(notify.flags).toBe(8 | 32);
  });

  test("docker's default profile compiles for x86_64 and aarch64, with and without CAP_SYS_ADMIN", () => {
    const sizes = new Map<string, number>();
    for (const arch of ["x64", "arm64"]) {
      for (const [label, caps] of [["default", DOCKER_DEFAULT_CAPS], ["admin", [...DOCKER_DEFAULT_CAPS, "CAP_SYS_ADMIN"]]] as const) {
        const r = compileSpec(dockerDefaultSeccomp({ capabilities: [...caps], arch }));
        expect(r.bpf.length % 8).toBe(0);
        expect(r.bpf.length / 8).toBeGreaterThan(300);
        expect(r.bpf.length / 8).toBeLessThanOrEqual(4096);
        // Names this libseccomp does not know yet are reported, never fatal.
        for (const n of r.unknownSyscalls) expect(n).toMatch(/^[a-z0-9_]+$/);
        sizes.set(`${arch}/${label}`, r.bpf.length);
      }
    }
    expect(new Set(sizes.values()).size).toBe(4);
  });

  describe("rejects malformed input with the line at fault", () => {
    const good = ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 0 1", "name mkdir", "end"];
    const cases: [string, string[], RegExp][] = [
      ["empty input", [], /^compileSeccomp: line 1: unexpected end of input$/],
      ["wrong header", ["husk-seccomp 2", ...good.slice(1)], /^compileSeccomp: line 1: unsupported encoding version$/],
      ["garbage", ["hello world"], /^compileSeccomp: line 1: expected "husk-seccomp" with 1 field\(s\)$/],
      ["missing end", good.slice(0, -1), /^compileSeccomp: line 6: unexpected end of input$/],
      ["data after end", [...good, "end"], /^compileSeccomp: line 7: data after "end"$/],
      ["number overflow", ["husk-seccomp 1", "default 4294967296", "flags 0", "end"], /^compileSeccomp: line 2: default action: "4294967296" is not a number in \[0, 4294967295\]$/],
      ["u64 overflow", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 1 1", "arg 0 4 18446744073709551616 0", "name socket", "end"], /^compileSeccomp: line 5: arg value:/],
      ["leading zero", ["husk-seccomp 1", "default 0327681", "flags 0", "end"], /^compileSeccomp: line 2: default action:/],
      ["sign", ["husk-seccomp 1", "default -1", "flags 0", "end"], /^compileSeccomp: line 2: default action:/],
      ["invalid action", ["husk-seccomp 1", "default 12345", "flags 0", "end"], /^compileSeccomp: line 2: invalid default action$/],
      ["notify default", ["husk-seccomp 1", `default ${0x7fc00000}`, "flags 0", "end"], /^compileSeccomp: line 2: SCMP_ACT_NOTIFY cannot be the default action$/],
      ["unknown flag bits", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 64", "end"], /^compileSeccomp: line 3: flags:/],
      ["double space", ["husk-seccomp 1", `default  ${SCMP_ACT_ALLOW}`, "flags 0", "end"], /^compileSeccomp: line 2: empty field$/],
      ["trailing space", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW} `, "flags 0", "end"], /^compileSeccomp: line 2: trailing space$/],
      ["blank line", ["husk-seccomp 1", "", `default ${SCMP_ACT_ALLOW}`], /^compileSeccomp: line 2: empty line$/],
      ["too few args", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 2 1", "arg 0 4 1 0", "name socket", "end"], /^compileSeccomp: line 6: expected "arg" with 4 field\(s\)$/],
      ["too few names", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 0 2", "name mkdir", "end"], /^compileSeccomp: line 6: expected "name" with 1 field\(s\)$/],
      ["no names", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 0 0", "end"], /^compileSeccomp: line 4: a rule needs at least one name$/],
      ["too many names", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 0 5000", "end"], /^compileSeccomp: line 4: rule nnames:/],
      ["too many args", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 65 1", "end"], /^compileSeccomp: line 4: rule nargs:/],
      ["arg index 6", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 1 1", "arg 6 4 1 0", "name socket", "end"], /^compileSeccomp: line 5: arg index:/],
      ["op 0", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 1 1", "arg 0 0 1 0", "name socket", "end"], /^compileSeccomp: line 5: arg op: 0 is not a comparison$/],
      ["op 8", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 1 1", "arg 0 8 1 0", "name socket", "end"], /^compileSeccomp: line 5: arg op:/],
      ["bad name", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 0 1", "name Mkdir", "end"], /^compileSeccomp: line 5: invalid syscall name$/],
      ["long name", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 0 1", `name ${"a".repeat(64)}`, "end"], /^compileSeccomp: line 5: invalid syscall name$/],
      ["arch after rule", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 0 1", "name mkdir", `arch ${0x40000003}`, "end"], /^compileSeccomp: line 6: "arch" after the first rule$/],
      ["native arch token", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "arch 0", "end"], /^compileSeccomp: line 4: arch token 0/],
      ["unknown record", ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "syscall mkdir", "end"], /^compileSeccomp: line 4: expected "rule", "arch" or "end"$/],
    ];
    for (const [what, lines, re] of cases) {
      test(what, () => {
        const e = errOf(() => addon!.compileSeccomp(lines.join("\n")));
        expect(e.message).toMatch(re);
      });
    }

    test("a NUL byte is refused", () => {
      const lines = ["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", "rule 0 327681 0 1", "name mk\0dir", "end"];
      expect(errOf(() => compileLines(lines)).message).toBe("compileSeccomp: encoded profile contains a NUL byte");
    });

    test("a non-string argument is a TypeError", () => {
      expect(errOf(() => (addon!.compileSeccomp as (x: unknown) => unknown)(42))).toBeInstanceOf(TypeError);
      expect(errOf(() => (addon!.compileSeccomp as () => unknown)())).toBeInstanceOf(TypeError);
    });

    test("libseccomp errors name the function, the object and the errno", () => {
      const e = errOf(() => compileLines(["husk-seccomp 1", `default ${SCMP_ACT_ALLOW}`, "flags 0", `arch ${0x12345678}`, "end"])) as Error & { code?: string };
      expect(e.message).toBe("seccomp_arch_add architecture token 0x12345678: EINVAL (Invalid argument)");
      expect(e.code).toBe("EINVAL");
    });
  });
});

describe.skipIf(!addon || !gcc || !kernelHasSeccomp)("compiled filters in the kernel", () => {
  let dir = "";
  let probe = "";
  let n = 0;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "husk-seccomp-"));
    probe = path.join(dir, "seccomp_probe");
    const cc = Bun.spawnSync({
      cmd: [gcc!, "-O1", "-Wall", "-Werror", "-o", probe, path.join(ROOT, "core-c/tests/seccomp_probe.c")],
      stderr: "pipe",
    });
    if (cc.exitCode !== 0) throw new Error(`gcc seccomp_probe.c failed:\n${cc.stderr.toString()}`);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(existsSync(dir)).toBe(false);
  });

  /** Load the compiled filter in a fresh probe process and run the probes. */
  function run(spec: LinuxSeccomp, probes: string[]) {
    const { bpf, flags } = compileSpec(spec);
    const file = path.join(dir, `filter-${n++}.bpf`);
    writeFileSync(file, bpf);
    const r = Bun.spawnSync({ cmd: [probe, file, String(flags), ...probes], stdout: "pipe", stderr: "pipe" });
    return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), exitCode: r.exitCode, signal: r.signalCode ?? null };
  }
  const expectLines = (r: ReturnType<typeof run>, lines: string[]) => {
    expect(r).toEqual({ stdout: ["loaded", ...lines].join("\n") + "\n", stderr: "", exitCode: 0, signal: null });
  };

  test("an ERRNO rule returns its errno; other syscalls pass", () => {
    const tmp = path.join(dir, "made-by-probe");
    expectLines(
      run({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" }] }, [`mkdir:${tmp}`, "getpid"]),
      [`mkdir:${tmp} EPERM`, "getpid ok"],
    );
    expectLines(
      run({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38 }] }, [`mkdir:${tmp}`]),
      [`mkdir:${tmp} ENOSYS`],
    );
    expect(existsSync(tmp)).toBe(false);
  });

  test("several conditions on one argument are ORed (one rule each)", () => {
    const spec: LinuxSeccomp = {
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{
        names: ["socket"],
        action: "SCMP_ACT_ERRNO",
        errnoRet: 97, // EAFNOSUPPORT
        args: [{ index: 0, value: AF_VSOCK, op: "SCMP_CMP_EQ" }, { index: 0, value: AF_ALG, op: "SCMP_CMP_EQ" }],
      }],
    };
    expectLines(run(spec, [`socket:${AF_VSOCK}:${SOCK_STREAM}`, `socket:${AF_ALG}:${SOCK_SEQPACKET}`, `socket:${AF_UNIX}:${SOCK_STREAM}`]), [
      `socket:${AF_VSOCK}:${SOCK_STREAM} EAFNOSUPPORT`,
      `socket:${AF_ALG}:${SOCK_SEQPACKET} EAFNOSUPPORT`,
      `socket:${AF_UNIX}:${SOCK_STREAM} ok`,
    ]);
  });

  test("conditions on different arguments are ANDed; MASKED_EQ masks", () => {
    const spec: LinuxSeccomp = {
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{
        names: ["socket"],
        action: "SCMP_ACT_ERRNO",
        errnoRet: 13, // EACCES
        args: [
          { index: 0, value: AF_UNIX, op: "SCMP_CMP_EQ" },
          { index: 1, value: 0xf, valueTwo: SOCK_DGRAM, op: "SCMP_CMP_MASKED_EQ" },
        ],
      }],
    };
    const SOCK_CLOEXEC = 0x80000;
    expectLines(run(spec, [`socket:${AF_UNIX}:${SOCK_DGRAM}`, `socket:${AF_UNIX}:${SOCK_DGRAM | SOCK_CLOEXEC}`, `socket:${AF_UNIX}:${SOCK_STREAM}`, `socket:${AF_INET}:${SOCK_DGRAM}`]), [
      `socket:${AF_UNIX}:${SOCK_DGRAM} EACCES`,
      `socket:${AF_UNIX}:${SOCK_DGRAM | SOCK_CLOEXEC} EACCES`,
      `socket:${AF_UNIX}:${SOCK_STREAM} ok`,
      `socket:${AF_INET}:${SOCK_DGRAM} ok`,
    ]);
  });

  test("SCMP_ACT_KILL_PROCESS kills with SIGSYS", () => {
    const r = run({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["getpid"], action: "SCMP_ACT_KILL_PROCESS" }] }, ["getpid"]);
    expect(r.signal).toBe("SIGSYS");
    expect(r.exitCode).toBeNull();
  });

  test("filter flags from the profile are accepted by the kernel", () => {
    const spec: LinuxSeccomp = { defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_LOG"], syscalls: [{ names: ["getpid"], action: "SCMP_ACT_ERRNO" }] };
    expectLines(run(spec, ["getpid"]), ["getpid EPERM"]);
  });

  test.skipIf(process.arch !== "x64" && process.arch !== "arm64")("docker's default profile behaves as docker's", () => {
    const tmp = path.join(dir, "docker-mkdir");
    const spec = dockerDefaultSeccomp({ capabilities: DOCKER_DEFAULT_CAPS, arch: process.arch });
    expectLines(
      run(spec, [
        `mkdir:${tmp}`,
        "getpid",
        "clone3",
        `unshare:${CLONE_NEWNS}`,
        `socket:${AF_UNIX}:${SOCK_STREAM}`,
        `socket:${AF_VSOCK}:${SOCK_STREAM}`,
        `socket:${AF_ALG}:${SOCK_SEQPACKET}`,
        "personality:0xffffffff",
        "personality:0x4",
        "keyctl",
      ]),
      [
        `mkdir:${tmp} ok`,
        "getpid ok",
        "clone3 ENOSYS", // so that libc falls back to clone, whose flags the filter can see
        `unshare:${CLONE_NEWNS} EPERM`,
        `socket:${AF_UNIX}:${SOCK_STREAM} ok`,
        `socket:${AF_VSOCK}:${SOCK_STREAM} EPERM`,
        `socket:${AF_ALG}:${SOCK_SEQPACKET} EPERM`,
        "personality:0xffffffff ok",
        "personality:0x4 EPERM",
        "keyctl EPERM",
      ],
    );

    // With CAP_SYS_ADMIN, clone3 and unshare reach the kernel (clone3 with no
    // arguments is then the kernel's EINVAL; unshare(0) succeeds).
    const admin = dockerDefaultSeccomp({ capabilities: [...DOCKER_DEFAULT_CAPS, "CAP_SYS_ADMIN"], arch: process.arch });
    expectLines(run(admin, ["clone3", "unshare:0"]), ["clone3 EINVAL", "unshare:0 ok"]);
  });
});
