// OCI linux.seccomp -> normalized numbers, the wire encoding, the profile hash, and
// docker's default profile. Pure TypeScript: no addon, no privileges.
import { describe, expect, test } from "bun:test";

import { DOCKER_SOCKET_DOMAINS, dockerDefaultSeccomp } from "../../src/oci/seccomp/docker-default.ts";
import {
  SCMP_ACT,
  SCMP_ARCH,
  SCMP_CMP,
  encodeNormalizedSeccomp,
  normalizeSeccomp,
  profileHash,
  scmpActErrno,
} from "../../src/oci/seccomp/normalize.ts";
import type { LinuxSeccomp, LinuxSyscall } from "../../src/oci/seccomp/types.ts";

const EPERM = 1;
const ENOSYS = 38;
const DOCKER_DEFAULT_CAPS = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
  "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];

const errOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a throw");
};

describe("action values", () => {
  // Values from /usr/include/seccomp.h (libseccomp 2.5) and linux/seccomp.h.
  test("match libseccomp", () => {
    expect(SCMP_ACT.KILL_THREAD).toBe(0);
    expect(SCMP_ACT.KILL_PROCESS).toBe(0x80000000);
    expect(SCMP_ACT.TRAP).toBe(0x00030000);
    expect(SCMP_ACT.NOTIFY).toBe(0x7fc00000);
    expect(SCMP_ACT.LOG).toBe(0x7ffc0000);
    expect(SCMP_ACT.ALLOW).toBe(0x7fff0000);
    expect(scmpActErrno(38)).toBe(0x00050026);
    expect(scmpActErrno(0x12345)).toBe(0x00052345);
  });

  test("every OCI action name resolves; ERRNO and TRACE default to EPERM", () => {
    const cases: [string, number | undefined, number][] = [
      ["SCMP_ACT_KILL", undefined, 0],
      ["SCMP_ACT_KILL_THREAD", undefined, 0],
      ["SCMP_ACT_KILL_PROCESS", undefined, 0x80000000],
      ["SCMP_ACT_TRAP", undefined, 0x00030000],
      ["SCMP_ACT_ERRNO", undefined, 0x00050000 | EPERM],
      ["SCMP_ACT_ERRNO", ENOSYS, 0x00050000 | ENOSYS],
      ["SCMP_ACT_ERRNO", 0, 0x00050000],
      ["SCMP_ACT_TRACE", undefined, 0x7ff00000 | EPERM],
      ["SCMP_ACT_TRACE", 1234, 0x7ff00000 | 1234],
      ["SCMP_ACT_LOG", undefined, 0x7ffc0000],
      ["SCMP_ACT_ALLOW", undefined, 0x7fff0000],
    ];
    for (const [action, errnoRet, want] of cases) {
      const n = normalizeSeccomp({
        defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{ names: ["mkdir"], action, ...(errnoRet === undefined ? {} : { errnoRet }) }],
      });
      expect({ action, errnoRet, value: n.rules[0]!.action }).toEqual({ action, errnoRet, value: want });
    }
  });

  test("the default action takes defaultErrnoRet", () => {
    expect(normalizeSeccomp({ defaultAction: "SCMP_ACT_ERRNO" }).defaultAction).toBe(0x00050001);
    expect(normalizeSeccomp({ defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38 }).defaultAction).toBe(0x00050026);
    expect(normalizeSeccomp({ defaultAction: "SCMP_ACT_KILL_PROCESS" }).defaultAction).toBe(0x80000000);
  });

  test("SCMP_ACT_NOTIFY needs a listener and is refused where it cannot work", () => {
    const n = normalizeSeccomp({
      defaultAction: "SCMP_ACT_ALLOW",
      listenerPath: "/run/notify.sock",
      syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_NOTIFY" }],
    });
    expect(n.rules[0]!.action).toBe(0x7fc00000);
    expect(errOf(() => normalizeSeccomp({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir"], action: "SCMP_ACT_NOTIFY" }] })))
      .toBe("linux.seccomp.listenerPath: is required when a rule uses SCMP_ACT_NOTIFY");
    expect(errOf(() => normalizeSeccomp({ defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/x" })))
      .toBe("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
    expect(errOf(() => normalizeSeccomp({
      defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/x",
      syscalls: [{ names: ["read", "write"], action: "SCMP_ACT_NOTIFY" }],
    }))).toBe('linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for "write"');
  });
});

describe("architectures, operators, flags", () => {
  test("arch tokens are the AUDIT_ARCH values", () => {
    expect(SCMP_ARCH.SCMP_ARCH_X86_64).toBe(0xc000003e);
    expect(SCMP_ARCH.SCMP_ARCH_X86).toBe(0x40000003);
    expect(SCMP_ARCH.SCMP_ARCH_X32).toBe(0x4000003e);
    expect(SCMP_ARCH.SCMP_ARCH_AARCH64).toBe(0xc00000b7);
    expect(SCMP_ARCH.SCMP_ARCH_ARM).toBe(0x40000028);
    expect(SCMP_ARCH.SCMP_ARCH_RISCV64).toBe(0xc00000f3);
    const n = normalizeSeccomp({
      defaultAction: "SCMP_ACT_ALLOW",
      architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32"],
    });
    expect(n.architectures).toEqual([0xc000003e, 0x40000003, 0x4000003e]);
  });

  test("operators and 64-bit values", () => {
    expect(SCMP_CMP).toEqual({
      SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4,
      SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7,
    });
    const n = normalizeSeccomp({
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{
        names: ["clone"],
        action: "SCMP_ACT_ERRNO",
        args: [
          { index: 0, value: 0x7e020000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" },
          { index: 5, value: 0xffffffffffffffffn, op: "SCMP_CMP_LE" },
          { index: 1, value: 2 ** 60, op: "SCMP_CMP_GT" },
        ],
      }],
    });
    expect(n.rules[0]!.args).toEqual([
      { index: 0, op: 7, value: 0x7e020000n, valueTwo: 0n },
      { index: 5, op: 3, value: 0xffffffffffffffffn, valueTwo: 0n },
      { index: 1, op: 6, value: 1n << 60n, valueTwo: 0n },
    ]);
  });

  test("flags become SECCOMP_FILTER_FLAG_* bits", () => {
    const n = normalizeSeccomp({
      defaultAction: "SCMP_ACT_ALLOW",
      flags: ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
    });
    expect(n.flags).toBe(1 | 2 | 4 | 32);
    expect(normalizeSeccomp({ defaultAction: "SCMP_ACT_ALLOW" }).flags).toBe(0);
  });
});

describe("validation names the exact spec path", () => {
  const base = (syscalls: unknown[]): unknown => ({ defaultAction: "SCMP_ACT_ERRNO", syscalls });
  const cases: [string, unknown, string][] = [
    ["not an object", "nope", "linux.seccomp: must be an object"],
    ["missing default", {}, "linux.seccomp.defaultAction: is required"],
    ["unknown default", { defaultAction: "SCMP_ACT_NOPE" }, 'linux.seccomp.defaultAction: unknown action "SCMP_ACT_NOPE"'],
    ["defaultErrnoRet with ALLOW", { defaultAction: "SCMP_ACT_ALLOW", defaultErrnoRet: 1 },
      "linux.seccomp.defaultErrnoRet: only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not SCMP_ACT_ALLOW"],
    ["defaultErrnoRet too big", { defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 70000 },
      "linux.seccomp.defaultErrnoRet: must be an integer errno in [0, 65535], got 70000"],
    ["unknown arch", { defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"] },
      'linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_Z80"'],
    ["unknown flag", { defaultAction: "SCMP_ACT_ALLOW", flags: ["SECCOMP_FILTER_FLAG_NEW_LISTENER"] },
      'linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_NEW_LISTENER"'],
    ["syscalls not an array", { defaultAction: "SCMP_ACT_ALLOW", syscalls: {} }, "linux.seccomp.syscalls: must be an array"],
    ["unknown rule action",
      base([{ names: ["read"], action: "SCMP_ACT_ALLOW" }, { names: ["a"], action: "SCMP_ACT_ALLOW" }, { names: ["b"], action: "SCMP_ACT_ALLOW" }, { names: ["c"], action: "SCMP_ACT_FOO" }]),
      'linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"'],
    ["missing rule action", base([{ names: ["read"] }]), "linux.seccomp.syscalls[0].action: is required"],
    ["empty names", base([{ names: [], action: "SCMP_ACT_ALLOW" }]), "linux.seccomp.syscalls[0].names: must be a non-empty array of syscall names"],
    ["bad name", base([{ names: ["read", "Read Me"], action: "SCMP_ACT_ALLOW" }]), 'linux.seccomp.syscalls[0].names[1]: invalid syscall name "Read Me"'],
    ["errnoRet with ALLOW", base([{ names: ["read"], action: "SCMP_ACT_ALLOW", errnoRet: 1 }]),
      "linux.seccomp.syscalls[0].errnoRet: only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not SCMP_ACT_ALLOW"],
    ["negative errnoRet", base([{ names: ["read"], action: "SCMP_ACT_ERRNO", errnoRet: -1 }]),
      "linux.seccomp.syscalls[0].errnoRet: must be an integer errno in [0, 65535], got -1"],
    ["arg index", base([{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 6, value: 1, op: "SCMP_CMP_EQ" }] }]),
      "linux.seccomp.syscalls[0].args[0].index: must be a syscall argument index in [0, 5], got 6"],
    ["arg op", base([{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }, { index: 1, value: 1, op: "EQ" }] }]),
      'linux.seccomp.syscalls[0].args[1].op: unknown operator "EQ"'],
    ["arg value negative", base([{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: -1, op: "SCMP_CMP_EQ" }] }]),
      "linux.seccomp.syscalls[0].args[0].value: must be an integer in [0, 2^64-1], got -1"],
    ["arg value fraction", base([{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 1.5, op: "SCMP_CMP_EQ" }] }]),
      "linux.seccomp.syscalls[0].args[0].value: must be an integer in [0, 2^64-1], got 1.5"],
    ["arg valueTwo too big", base([{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 1, valueTwo: 1n << 64n, op: "SCMP_CMP_EQ" }] }]),
      "linux.seccomp.syscalls[0].args[0].valueTwo: must be an integer in [0, 2^64-1], got 18446744073709551616n"],
    ["arg value missing", base([{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, op: "SCMP_CMP_EQ" }] }]),
      "linux.seccomp.syscalls[0].args[0].value: is required"],
  ];
  for (const [what, spec, message] of cases) {
    test(what, () => expect(errOf(() => normalizeSeccomp(spec))).toBe(message));
  }

  test("a caller's path prefix is used", () => {
    expect(errOf(() => normalizeSeccomp({ defaultAction: 7 }, "profile"))).toBe("profile.defaultAction: must be a string, got 7");
  });
});

describe("encoding and hash", () => {
  const spec: LinuxSeccomp = {
    defaultAction: "SCMP_ACT_ERRNO",
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
    flags: ["SECCOMP_FILTER_FLAG_LOG"],
    syscalls: [
      { names: ["read", "write"], action: "SCMP_ACT_ALLOW" },
      { names: ["socket"], action: "SCMP_ACT_ERRNO", errnoRet: 97, args: [{ index: 0, value: 40, op: "SCMP_CMP_EQ" }] },
    ],
  };

  test("the line format compileSeccomp reads", () => {
    expect(encodeNormalizedSeccomp(normalizeSeccomp(spec))).toBe(
      [
        "husk-seccomp 1",
        `default ${0x00050001}`,
        "flags 2",
        `arch ${0xc000003e}`,
        `arch ${0x40000003}`,
        `rule 0 ${0x7fff0000} 0 2`,
        "name read",
        "name write",
        `rule 1 ${0x00050061} 1 1`,
        "arg 0 4 40 0",
        "name socket",
        "end",
        "",
      ].join("\n"),
    );
  });

  test("KILL_PROCESS and 64-bit values are written unsigned", () => {
    const enc = encodeNormalizedSeccomp(normalizeSeccomp({
      defaultAction: "SCMP_ACT_KILL_PROCESS",
      syscalls: [{ names: ["read"], action: "SCMP_ACT_ALLOW", args: [{ index: 2, value: 0xffffffffffffffffn, valueTwo: 0, op: "SCMP_CMP_NE" }] }],
    }));
    expect(enc).toContain("default 2147483648\n");
    expect(enc).toContain("arg 2 1 18446744073709551615 0\n");
  });

  test("profileHash: stable, content-sensitive, blind to key order and aliases", () => {
    const h = profileHash(normalizeSeccomp(spec));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(profileHash(normalizeSeccomp(structuredClone(spec)))).toBe(h);

    const reordered = JSON.parse(JSON.stringify({
      syscalls: spec.syscalls!.map((s) => Object.fromEntries(Object.entries(s).reverse())),
      flags: spec.flags,
      architectures: spec.architectures,
      defaultAction: spec.defaultAction,
    }));
    expect(profileHash(normalizeSeccomp(reordered))).toBe(h);

    const other = structuredClone(spec);
    other.syscalls![1]!.errnoRet = 98;
    expect(profileHash(normalizeSeccomp(other))).not.toBe(h);

    const a = profileHash(normalizeSeccomp({ defaultAction: "SCMP_ACT_KILL" }));
    const b = profileHash(normalizeSeccomp({ defaultAction: "SCMP_ACT_KILL_THREAD" }));
    expect(a).toBe(b);
  });
});

describe("docker's default profile", () => {
  const names = (s: LinuxSeccomp): Set<string> =>
    new Set(s.syscalls!.filter((r) => r.action === "SCMP_ACT_ALLOW" && !r.args?.length).flatMap((r) => r.names));
  const withArgs = (s: LinuxSeccomp, name: string): LinuxSyscall[] => s.syscalls!.filter((r) => r.names.includes(name) && r.args?.length);
  const x64 = dockerDefaultSeccomp({ capabilities: DOCKER_DEFAULT_CAPS, arch: "x64", kernelRelease: "6.1.0" });

  test("ERRNO(EPERM) by default, x86 ABIs on x86_64 hosts, arm ABIs on arm64 hosts", () => {
    expect(x64.defaultAction).toBe("SCMP_ACT_ERRNO");
    expect(x64.defaultErrnoRet).toBe(EPERM);
    expect(x64.architectures).toEqual(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    const arm = dockerDefaultSeccomp({ capabilities: DOCKER_DEFAULT_CAPS, arch: "arm64" });
    expect(arm.architectures).toEqual(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]);
    expect(dockerDefaultSeccomp({ capabilities: [], arch: "ppc64" }).architectures).toEqual([]);
  });

  test("the common allow-list", () => {
    const n = names(x64);
    for (const s of ["read", "write", "openat", "execve", "mkdir", "futex", "epoll_pwait", "io_setup", "statx", "clone3" /* absent */])
      expect({ s, allowed: n.has(s) }).toEqual({ s, allowed: s !== "clone3" });
    expect(n.size).toBeGreaterThan(340);
    // Not allowed without the matching capability (or at all).
    for (const s of ["mount", "umount2", "unshare", "setns", "reboot", "init_module", "kexec_load", "bpf", "kcmp", "add_key", "keyctl", "userfaultfd", "socket", "personality", "clone"])
      expect({ s, allowed: n.has(s) }).toEqual({ s, allowed: false });
  });

  test("architecture-specific entries follow the host", () => {
    expect(names(x64).has("arch_prctl")).toBe(true);
    expect(names(x64).has("modify_ldt")).toBe(true);
    expect(names(x64).has("set_tls")).toBe(false);
    const arm = names(dockerDefaultSeccomp({ capabilities: [], arch: "arm64" }));
    for (const s of ["arm_fadvise64_64", "sync_file_range2", "set_tls", "cacheflush"]) expect(arm.has(s)).toBe(true);
    expect(arm.has("arch_prctl")).toBe(false);
    expect(arm.has("modify_ldt")).toBe(false);
  });

  test("ptrace and process_vm_* are allowed from kernel 4.8, before that with CAP_SYS_PTRACE", () => {
    expect(names(x64).has("ptrace")).toBe(true);
    expect(names(x64).has("process_vm_readv")).toBe(true);
    const old = dockerDefaultSeccomp({ capabilities: [], arch: "x64", kernelRelease: "4.4.0-210-generic" });
    expect(names(old).has("ptrace")).toBe(false);
    expect(names(old).has("process_vm_readv")).toBe(false);
    const oldPtrace = dockerDefaultSeccomp({ capabilities: ["CAP_SYS_PTRACE"], arch: "x64", kernelRelease: "4.4.0" });
    expect(names(oldPtrace).has("ptrace")).toBe(true);
  });

  test("socket: listed domains only, never AF_VSOCK or AF_ALG", () => {
    const rules = withArgs(x64, "socket");
    const allowed = (domain: number): boolean =>
      rules.some((r) => r.args!.some((a) => (a.op === "SCMP_CMP_LT" ? domain < Number(a.value) : a.op === "SCMP_CMP_EQ" && domain === Number(a.value))));
    for (const d of DOCKER_SOCKET_DOMAINS) expect({ d, ok: allowed(d) }).toEqual({ d, ok: true });
    for (const d of [12, 38, 40, 46, 100]) expect({ d, ok: allowed(d) }).toEqual({ d, ok: false });
    expect(rules[0]!.args).toEqual([{ index: 0, value: 12, op: "SCMP_CMP_LT" }]);
  });

  test("personality: only the five values docker allows", () => {
    const values = withArgs(x64, "personality").map((r) => r.args!.map((a) => [a.index, a.op, a.value]));
    expect(values).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff].map((v) => [[0, "SCMP_CMP_EQ", v]]));
  });

  test("without CAP_SYS_ADMIN: clone without namespace flags, clone3 -> ENOSYS", () => {
    expect(withArgs(x64, "clone")).toEqual([{
      names: ["clone"], action: "SCMP_ACT_ALLOW",
      args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }],
    }]);
    expect(x64.syscalls!.filter((r) => r.names.includes("clone3"))).toEqual([{ names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: ENOSYS }]);
    const s390 = dockerDefaultSeccomp({ capabilities: [], arch: "s390x" });
    expect(withArgs(s390, "clone").map((r) => r.args![0]!.index)).toEqual([1]);
  });

  test("capability-gated groups appear exactly with their capability", () => {
    const gated: [string, string[]][] = [
      ["CAP_SYS_ADMIN", ["mount", "umount2", "unshare", "setns", "clone", "clone3", "fsopen", "sethostname", "quotactl", "bpf", "perf_event_open", "syslog"]],
      // ptrace and process_vm_* are also allowed to all on kernels >= 4.8.
      ["CAP_SYS_PTRACE", ["kcmp", "pidfd_getfd", "process_madvise"]],
      ["CAP_SYS_MODULE", ["init_module", "finit_module", "delete_module"]],
      ["CAP_SYS_BOOT", ["reboot"]],
      ["CAP_SYSLOG", ["syslog"]],
      ["CAP_SYS_TIME", ["settimeofday", "clock_settime", "stime"]],
      ["CAP_SYS_NICE", ["mbind", "set_mempolicy", "get_mempolicy"]],
      ["CAP_SYS_RAWIO", ["iopl", "ioperm"]],
      ["CAP_SYS_PACCT", ["acct"]],
      ["CAP_SYS_CHROOT", ["chroot"]],
      ["CAP_SYS_TTY_CONFIG", ["vhangup"]],
      ["CAP_DAC_READ_SEARCH", ["open_by_handle_at"]],
      ["CAP_BPF", ["bpf"]],
      ["CAP_PERFMON", ["perf_event_open"]],
    ];
    const none = names(dockerDefaultSeccomp({ capabilities: [], arch: "x64" }));
    for (const [cap, calls] of gated) {
      const withCap = names(dockerDefaultSeccomp({ capabilities: [cap], arch: "x64" }));
      for (const c of calls) {
        expect({ cap, c, without: none.has(c) }).toEqual({ cap, c, without: false });
        expect({ cap, c, with: withCap.has(c) }).toEqual({ cap, c, with: true });
      }
    }
  });

  test("with CAP_SYS_ADMIN: no clone flag filter and no clone3 ENOSYS", () => {
    const admin = dockerDefaultSeccomp({ capabilities: ["sys_admin"], arch: "x64" });
    expect(withArgs(admin, "clone")).toEqual([]);
    expect(admin.syscalls!.some((r) => r.action === "SCMP_ACT_ERRNO")).toBe(false);
    expect(names(admin).has("clone3")).toBe(true);
  });

  test("normalizes cleanly, and results are independent copies", () => {
    for (const arch of ["x64", "arm64", "riscv64", "s390x"]) {
      for (const caps of [[], DOCKER_DEFAULT_CAPS, ["CAP_SYS_ADMIN"]]) {
        const n = normalizeSeccomp(dockerDefaultSeccomp({ capabilities: caps, arch }));
        expect(n.defaultAction).toBe(0x00050001);
        expect(n.rules.length).toBeGreaterThan(30);
      }
    }
    const a = dockerDefaultSeccomp({ capabilities: [], arch: "x64" });
    a.syscalls![0]!.names.push("kexec_load");
    a.syscalls![2]!.args![0]!.value = 99;
    const b = dockerDefaultSeccomp({ capabilities: [], arch: "x64" });
    expect(b.syscalls![0]!.names).not.toContain("kexec_load");
    expect(b.syscalls![2]!.args![0]!.value).toBe(12);
  });
});
