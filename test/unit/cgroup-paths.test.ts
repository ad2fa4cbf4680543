import { describe, expect, test } from "bun:test";
import { hostCgroups, resolveCgroupsPath } from "../../src/runtime/cgroup-paths.ts";

const hybrid = hostCgroups({
  mounts: [
    "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime 0 0",
    "cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0",
    "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0",
    "cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0",
    "cgroup /sys/fs/cgroup/net_cls cgroup rw,net_cls 0 0",
  ].join("\n"),
  cgroup: ["5:memory:/svc/a", "4:cpu,cpuacct:/", "1:name=systemd:/init.scope", "0::/u"].join("\n"),
});

describe("hostCgroups", () => {
  test("finds v1 hierarchies we belong to and the unified one", () => {
    expect(hybrid.hierarchies.map((h) => [h.mountPoint, h.ownPath, h.unified])).toEqual([
      ["/sys/fs/cgroup/unified", "/u", true],
      ["/sys/fs/cgroup/memory", "/svc/a", false],
      ["/sys/fs/cgroup/cpu,cpuacct", "/", false],
      ["/sys/fs/cgroup/systemd", "/init.scope", false],
    ]);
  });
});

describe("resolveCgroupsPath", () => {
  test("relative paths are under our own cgroup in each hierarchy", () => {
    const r = resolveCgroupsPath("box/1", "id", hybrid);
    expect(r.v2Dir).toBe("/sys/fs/cgroup/unified/u/box/1");
    expect(r.dirs).toEqual(["/sys/fs/cgroup/memory/svc/a/box/1", "/sys/fs/cgroup/cpu,cpuacct/box/1", "/sys/fs/cgroup/systemd/init.scope/box/1"]);
  });
  test("absolute paths start at the hierarchy root", () => {
    expect(resolveCgroupsPath("/machine/x", "id", hybrid).dirs[0]).toBe("/sys/fs/cgroup/memory/machine/x");
  });
  test("no path means the container id, relative", () => {
    expect(resolveCgroupsPath(undefined, "abc", hybrid).dirs[1]).toBe("/sys/fs/cgroup/cpu,cpuacct/abc");
  });
  test("missing directories are listed shallowest first", () => {
    const r = resolveCgroupsPath("husk-unit-never-exists/x", "id", hybrid);
    const mem = r.missing.filter((d) => d.startsWith("/sys/fs/cgroup/memory/"));
    expect(mem).toEqual(["/sys/fs/cgroup/memory/svc", "/sys/fs/cgroup/memory/svc/a", "/sys/fs/cgroup/memory/svc/a/husk-unit-never-exists", "/sys/fs/cgroup/memory/svc/a/husk-unit-never-exists/x"]);
  });
  test("systemd slice syntax and .. are refused with a hint", () => {
    expect(() => resolveCgroupsPath("system.slice:husk:abc", "id", hybrid)).toThrow("systemd");
    expect(() => resolveCgroupsPath("a/../../b", "id", hybrid)).toThrow('must not contain ".."');
  });
});

describe("cgroupMode", () => {
  const host = (mounts: string, cgroup: string) => hostCgroups({ mounts, cgroup });
  test("v2, hybrid, v1 and none from the hierarchies", async () => {
    const { cgroupMode } = await import("../../src/runtime/cgroup-paths.ts");
    expect(cgroupMode(hybrid)).toBe("hybrid");
    expect(cgroupMode(host("cgroup2 /sys/fs/cgroup cgroup2 rw 0 0", "0::/x"))).toBe("v2");
    expect(cgroupMode(host("cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0", "3:pids:/"))).toBe("v1");
    expect(cgroupMode(host("", ""))).toBe("none");
  });
});
