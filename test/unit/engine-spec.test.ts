// Record + image -> config.json: docker's defaults and each flag's effect on the spec.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { HuskError } from "../../src/runtime/errors.ts";
import { buildContainerSpec, type SpecInput } from "../../src/engine/oci-spec.ts";
import type { ContainerRecord } from "../../src/engine/record.ts";
import { containerSettings, type RunFlags } from "../../src/engine/run-flags.ts";
import { DEFAULT_CAPABILITIES } from "../../src/engine/flags/security.ts";
import { validateSpec } from "../../src/oci/validate.ts";

const rootfs = mkdtempSync(`${tmpdir()}/husk-spec-`);
mkdirSync(`${rootfs}/etc`);
writeFileSync(`${rootfs}/etc/passwd`, "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
writeFileSync(`${rootfs}/etc/group`, "root:x:0:\napp:x:1000:\nextra:x:2000:app\n");
afterAll(() => rmSync(rootfs, { recursive: true, force: true }));

const ID = "a".repeat(64);
const image = { Cmd: ["sh"], Env: ["PATH=/bin"], WorkingDir: "/srv" };

function spec(flags: RunFlags, cmd: string[] = [], extra: Partial<SpecInput> = {}) {
  const s = containerSettings(flags, image, "bb", cmd, 2);
  const record: ContainerRecord = {
    version: 1, id: ID, name: "n", image: "sha256:x", imageRef: "bb", created: "", ...s,
    snapshot: { driver: "overlay", lowerDirs: [], upperDir: "", workDir: "", mergedDir: rootfs },
  };
  return buildContainerSpec({
    record, image, rootfs, etcMounts: [{ source: "/x/hosts", destination: "/etc/hosts" }], volumeSource: (n) => `/vol/${n}/_data`,
    lastCap: 40, cgroupsPath: `/husk/${ID}`, arch: "x64", kernelRelease: "6.1.0",
    statDevice: () => ({ type: "c", major: 10, minor: 229, mode: 0o666 }), ...extra,
  });
}

describe("docker defaults", () => {
  // buildContainerSpec attaches docker's default profile after validation (it is husk's
  // own output, and checking it costs ms per run): it must pass validation unchanged.
  test("the default seccomp profile, for any capability set and arch, validates as built", () => {
    for (const arch of ["x64", "arm64"])
      for (const flags of [{}, { capAdd: ["ALL"] }, { capDrop: ["ALL"] }, { capAdd: ["SYS_ADMIN", "SYS_PTRACE"] }] as RunFlags[]) {
        const s = spec(flags, [], { arch });
        expect(s.linux!.seccomp).toBeDefined();
        expect(validateSpec(s)).toEqual(s);
      }
  });

  test("namespaces, caps, seccomp, masked paths, hostname, env", () => {
    const s = spec({});
    expect(s.hostname).toBe(ID.slice(0, 12));
    expect(s.linux!.namespaces!.map((n) => n.type).sort()).toEqual(["cgroup", "ipc", "mount", "network", "pid", "uts"]);
    expect(s.process!.capabilities!.bounding!.sort()).toEqual([...DEFAULT_CAPABILITIES].sort());
    expect(s.linux!.seccomp!.defaultAction).toBe("SCMP_ACT_ERRNO");
    expect(s.linux!.maskedPaths).toContain("/proc/kcore");
    expect(s.linux!.readonlyPaths).toContain("/proc/sys");
    expect(s.process!.env).toEqual(["PATH=/bin", `HOSTNAME=${ID.slice(0, 12)}`]);
    expect(s.process!.cwd).toBe("/srv");
    expect(s.process!.rlimits).toEqual([]);
    expect(s.mounts!.find((m) => m.destination === "/etc/hosts")).toEqual({ destination: "/etc/hosts", type: "bind", source: "/x/hosts", options: ["rbind", "rprivate"] });
    expect(s.linux!.cgroupsPath).toBe(`/husk/${ID}`);
  });
  test("--privileged lifts seccomp, masks and the device filter", () => {
    const s = spec({ privileged: true });
    expect(s.linux!.seccomp).toBeUndefined();
    expect(s.linux!.maskedPaths).toEqual([]);
    expect(s.process!.capabilities!.bounding).toHaveLength(41);
    expect(s.linux!.resources!.devices).toEqual([{ allow: true, access: "rwm" }]);
  });
});

describe("flags in the spec", () => {
  test("user, env, workdir, tty, read-only, no-new-privileges, unconfined", () => {
    const s = spec({ user: "app", env: ["A=1"], workdir: "/w", tty: true, readOnly: true, securityOpt: ["no-new-privileges", "seccomp=unconfined"] }, ["id"]);
    expect(s.process!.user).toEqual({ uid: 1000, gid: 1000, additionalGids: [2000] });
    expect(s.process!.args).toEqual(["id"]);
    expect(s.process!.env).toContain("A=1");
    expect(s.process!.env).toContain("TERM=xterm");
    expect(s.process!.cwd).toBe("/w");
    expect(s.process!.terminal).toBe(true);
    expect(s.root!.readonly).toBe(true);
    expect(s.process!.noNewPrivileges).toBe(true);
    expect(s.linux!.seccomp).toBeUndefined();
  });
  test("mounts: bind, named volume, tmpfs, init", () => {
    const s = spec({ volume: ["/h:/c:ro", "data:/d"], tmpfs: ["/t:size=1m"], init: true }, ["sleep", "1"], { initBinary: "/usr/bin/catatonit" });
    const m = (d: string) => s.mounts!.find((x) => x.destination === d);
    expect(m("/c")).toEqual({ destination: "/c", type: "bind", source: "/h", options: ["rbind", "ro", "rprivate"] });
    expect(m("/d")!.source).toBe("/vol/data/_data");
    expect(m("/t")!.options).toContain("size=1m");
    expect(m("/dev/init")!.source).toBe("/usr/bin/catatonit");
    expect(s.process!.args).toEqual(["/dev/init", "--", "sleep", "1"]);
  });
  test("resources, ulimits, sysctls, devices, network", () => {
    const s = spec({ memory: "64m", memorySwap: "128m", cpus: "0.5", cpuShares: "512", cpusetCpus: "0", pidsLimit: "50", ulimit: ["nofile=100:200"], sysctl: ["net.ipv4.ip_forward=1"], device: ["/dev/fuse"], network: "host" });
    const r = s.linux!.resources!;
    expect(r.memory).toEqual({ limit: 64 << 20, swap: 128 << 20 });
    expect(r.cpu).toEqual({ quota: 50000, period: 100000, shares: 512, cpus: "0" });
    expect(r.pids).toEqual({ limit: 50 });
    expect(r.devices).toContainEqual({ allow: true, type: "c", major: 10, minor: 229, access: "rwm" });
    expect(s.linux!.devices).toEqual([{ path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 }]);
    expect(s.process!.rlimits).toEqual([{ type: "RLIMIT_NOFILE", soft: 100, hard: 200 }]);
    expect(s.linux!.sysctl).toEqual({ "net.ipv4.ip_forward": "1" });
    expect(s.linux!.namespaces!.some((n) => n.type === "network")).toBe(false);
  });
  test("--init without an init binary, and an unknown user, are one line", () => {
    expect(() => spec({ init: true })).toThrow(HuskError);
    expect(() => spec({ user: "ghost" })).toThrow(/user "ghost" is not in the image's \/etc\/passwd/);
  });
});
