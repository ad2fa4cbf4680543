import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, defaultSpec } from "../../src/oci/default-spec.ts";
import { parseMountOptions } from "../../src/oci/mount-options.ts";
import { OCI_VERSION } from "../../src/oci/spec.ts";
import { parseSpec, validateSpec } from "../../src/oci/validate.ts";

const CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

describe("defaultSpec({ rootless: false })", () => {
  const spec = defaultSpec({ rootless: false });

  test("validates, also after a JSON round trip", () => {
    expect(() => validateSpec(spec)).not.toThrow();
    expect(parseSpec(JSON.stringify(spec, null, "\t"), "config.json")).toEqual(spec);
  });

  test("process, root and hostname are runc's defaults with hostname husk", () => {
    expect(spec.ociVersion).toBe(OCI_VERSION);
    expect(spec.process).toEqual({
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ["sh"],
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
      cwd: "/",
      capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    });
    expect(spec.root).toEqual({ path: "rootfs", readonly: true });
    expect(spec.hostname).toBe("husk");
  });

  test("mounts", () => {
    expect(spec.mounts?.map((m) => [m.destination, m.type, m.source])).toEqual([
      ["/proc", "proc", "proc"],
      ["/dev", "tmpfs", "tmpfs"],
      ["/dev/pts", "devpts", "devpts"],
      ["/dev/shm", "tmpfs", "shm"],
      ["/dev/mqueue", "mqueue", "mqueue"],
      ["/sys", "sysfs", "sysfs"],
      ["/sys/fs/cgroup", "cgroup", "cgroup"],
    ]);
    const byDest = new Map(spec.mounts?.map((m) => [m.destination, m.options]));
    expect(byDest.get("/dev")).toEqual(["nosuid", "strictatime", "mode=755", "size=65536k"]);
    expect(byDest.get("/dev/pts")).toEqual(["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]);
    expect(byDest.get("/dev/shm")).toEqual(["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]);
    expect(byDest.get("/sys")).toEqual(["nosuid", "noexec", "nodev", "ro"]);
    expect(byDest.get("/sys/fs/cgroup")).toEqual(["nosuid", "noexec", "nodev", "relatime", "ro"]);
    // Every option of the default mounts is either a known flag or filesystem data.
    expect(parseMountOptions(byDest.get("/dev/pts")).data).toBe("newinstance,ptmxmode=0666,mode=0620,gid=5");
  });

  test("linux: namespaces, device cgroup, masked and read-only paths", () => {
    expect(spec.linux?.namespaces?.map((n) => n.type)).toEqual(["pid", "network", "ipc", "uts", "mount", "cgroup"]);
    expect(spec.linux?.resources).toEqual({ devices: [{ allow: false, access: "rwm" }] });
    expect(spec.linux?.maskedPaths).toEqual([...DEFAULT_MASKED_PATHS]);
    expect(spec.linux?.maskedPaths).toContain("/proc/kcore");
    expect(spec.linux?.readonlyPaths).toEqual(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]);
    expect(spec.linux?.uidMappings).toBeUndefined();
    expect(spec.linux?.devices).toBeUndefined();
  });

  test("the cgroup namespace can be left out", () => {
    const s = defaultSpec({ rootless: false, cgroupNamespace: false });
    expect(s.linux?.namespaces?.map((n) => n.type)).toEqual(["pid", "network", "ipc", "uts", "mount"]);
  });

  test("each call returns a fresh object", () => {
    const a = defaultSpec({ rootless: false });
    a.linux?.maskedPaths?.push("/x");
    a.process?.capabilities?.bounding?.push("CAP_SYS_ADMIN");
    expect(defaultSpec({ rootless: false })).toEqual(spec);
    expect(DEFAULT_MASKED_PATHS).not.toContain("/x");
  });
});

describe("defaultSpec({ rootless: true })", () => {
  const spec = defaultSpec({ rootless: true, uid: 1000, gid: 1001 });

  test("validates", () => {
    expect(() => validateSpec(spec)).not.toThrow();
  });

  test("user namespace mapping the caller, no network namespace, no cgroup limits", () => {
    expect(spec.linux?.namespaces?.map((n) => n.type)).toEqual(["pid", "ipc", "uts", "mount", "cgroup", "user"]);
    expect(spec.linux?.uidMappings).toEqual([{ containerID: 0, hostID: 1000, size: 1 }]);
    expect(spec.linux?.gidMappings).toEqual([{ containerID: 0, hostID: 1001, size: 1 }]);
    expect(spec.linux?.resources).toBeUndefined();
  });

  test("/sys is a read-only rbind of the host's, devpts has no gid=5", () => {
    const byDest = new Map(spec.mounts?.map((m) => [m.destination, m]));
    expect(byDest.get("/sys")).toEqual({
      destination: "/sys",
      type: "none",
      source: "/sys",
      options: ["rbind", "nosuid", "noexec", "nodev", "ro"],
    });
    expect(byDest.get("/dev/pts")?.options).toEqual(["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]);
  });

  test("mappings default to this process's effective ids", () => {
    const s = defaultSpec({ rootless: true });
    expect(s.linux?.uidMappings?.[0]?.hostID).toBe(process.geteuid?.() ?? 0);
    expect(s.linux?.gidMappings?.[0]?.hostID).toBe(process.getegid?.() ?? 0);
  });
});

// Side by side with the real runc when it is installed: the same content, apart from the
// documented differences (hostname, spec version, cgroup namespace, runc-version-specific
// extras such as the ambient set that runc dropped in 1.2 and masked paths it added).
const runc = Bun.which("runc");
describe.skipIf(runc === null)("compared with `runc spec`", () => {
  const dir = mkdtempSync(join(tmpdir(), "husk-spec-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function runcSpec(rootless: boolean): any {
    const sub = join(dir, rootless ? "rootless" : "root");
    mkdirSync(sub, { recursive: true });
    const r = Bun.spawnSync([runc as string, "spec", ...(rootless ? ["--rootless"] : [])], { cwd: sub });
    expect(r.exitCode).toBe(0);
    return JSON.parse(readFileSync(join(sub, "config.json"), "utf8"));
  }

  for (const rootless of [false, true]) {
    test(rootless ? "rootless" : "root", () => {
      const theirs = runcSpec(rootless);
      const ours = defaultSpec({ rootless, cgroupNamespace: false }) as any;
      expect(ours.mounts).toEqual(theirs.mounts);
      expect(ours.root).toEqual(theirs.root);
      for (const key of ["terminal", "user", "args", "env", "cwd", "rlimits", "noNewPrivileges"]) {
        expect({ key, v: ours.process[key] }).toEqual({ key, v: theirs.process[key] });
      }
      for (const set of ["bounding", "effective", "permitted"]) {
        expect(ours.process.capabilities[set]).toEqual(theirs.process.capabilities[set]);
      }
      const nsTypes = (s: any) => s.linux.namespaces.map((n: any) => n.type).filter((t: string) => t !== "cgroup");
      expect(nsTypes(ours)).toEqual(nsTypes(theirs));
      expect(ours.linux.uidMappings).toEqual(theirs.linux.uidMappings);
      expect(ours.linux.gidMappings).toEqual(theirs.linux.gidMappings);
      expect(ours.linux.resources).toEqual(theirs.linux.resources);
      expect(ours.linux.readonlyPaths).toEqual(theirs.linux.readonlyPaths);
      for (const p of theirs.linux.maskedPaths) expect(ours.linux.maskedPaths).toContain(p);
      expect(() => validateSpec(theirs)).not.toThrow();
    });
  }
});
