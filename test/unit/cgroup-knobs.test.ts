import { describe, expect, test } from "bun:test";
import { blkioToIoWeight, sharesToWeight, v2SwapMax } from "../../src/cgroups/convert.ts";
import { rootControllers } from "../../src/cgroups/home.ts";
import { effectiveDeviceRules } from "../../src/cgroups/knobs.ts";
import { type ControllerHome, resourceWrites } from "../../src/cgroups/placement.ts";

const v1Home: ControllerHome = {
  v1: (c) => ({ memory: "/cg/memory/x", cpu: "/cg/cpu,cpuacct/x", cpuacct: "/cg/cpu,cpuacct/x", pids: "/cg/pids/x", devices: "/cg/devices/x", cpuset: "/cg/cpuset/x" })[c],
  v2Controllers: new Set(),
  mode: "v1",
};
const v2Home: ControllerHome = { v1: () => undefined, v2Dir: "/cg/x", v2Root: "/cg", v2Controllers: new Set(["cpu", "memory", "pids", "io", "cpuset", "hugetlb"]), mode: "v2" };
const all = (home: ControllerHome, r: Parameters<typeof resourceWrites>[0]) => resourceWrites(r, home).map((w) => `${w.path}=${w.value}`);
/** The limit writes, without the subtree_control writes that enable controllers. */
const lines = (home: ControllerHome, r: Parameters<typeof resourceWrites>[0]) => all(home, r).filter((l) => !l.includes("cgroup.subtree_control"));

describe("conversions (runc's formulas)", () => {
  test("cpu shares to weight", () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(262144)).toBe(10000);
  });
  test("blkio weight to io weight", () => {
    expect(blkioToIoWeight(10)).toBe(1);
    expect(blkioToIoWeight(500)).toBe(4950);
    expect(blkioToIoWeight(1000)).toBe(10000);
  });
  test("OCI swap (memory+swap) to v2 swap", () => {
    expect(v2SwapMax(100, 300)).toBe("200");
    expect(v2SwapMax(100, -1)).toBe("max");
    expect(() => v2SwapMax(300, 100)).toThrow("must be at least memory.limit");
    expect(() => v2SwapMax(undefined, 100)).toThrow("needs memory.limit");
  });
});

describe("resourceWrites", () => {
  test("v1: each knob in its controller's hierarchy, memory before swap", () => {
    expect(lines(v1Home, { memory: { limit: 100, swap: 200 }, cpu: { shares: 512, quota: 5000, period: 10000, cpus: "0-1" }, pids: { limit: 0 } })).toEqual([
      "/cg/memory/x/memory.limit_in_bytes=100",
      "/cg/memory/x/memory.memsw.limit_in_bytes=200",
      "/cg/cpu,cpuacct/x/cpu.shares=512",
      "/cg/cpu,cpuacct/x/cpu.cfs_period_us=10000",
      "/cg/cpu,cpuacct/x/cpu.cfs_quota_us=5000",
      "/cg/cpuset/x/cpuset.cpus=0-1",
      "/cg/pids/x/pids.max=max",
    ]);
  });
  test("v2: converted spellings, one cpu.max for quota and period", () => {
    expect(lines(v2Home, { memory: { limit: 100, swap: 300, reservation: 50 }, cpu: { shares: 1024, quota: 5000, period: 10000 }, blockIO: { weight: 500 } })).toEqual([
      "/cg/x/memory.max=100",
      "/cg/x/memory.low=50",
      "/cg/x/memory.swap.max=200",
      "/cg/x/cpu.weight=39",
      "/cg/x/cpu.max=5000 10000",
      "/cg/x/io.weight=default 4950",
    ]);
    expect(lines(v2Home, { cpu: { quota: 5000 } })).toEqual(["/cg/x/cpu.max=5000 100000"]);
  });
  test("v2: the unified map is written as given", () => {
    expect(lines(v2Home, { unified: { "memory.high": "50M", "pids.max": "7" } })).toEqual(["/cg/x/memory.high=50M", "/cg/x/pids.max=7"]);
    expect(() => lines(v2Home, { unified: { "../x": "1" } })).toThrow('"../x"');
  });
  test("what a host cannot honour is refused with the knob and the mode", () => {
    expect(() => lines(v2Home, { memory: { swappiness: 10 } })).toThrow("linux.resources.memory.swappiness: cgroup v2 has no per-cgroup swappiness (cgroup mode v2)");
    expect(() => lines(v2Home, { devices: [{ allow: false, access: "rwm" }] })).toThrow("eBPF device filter");
    expect(() => lines(v1Home, { hugepageLimits: [{ pageSize: "2MB", limit: 1 }] })).toThrow(
      "linux.resources.hugepageLimits: no hugetlb controller is available to this container (cgroup mode v1)",
    );
    expect(() => lines(v1Home, { unified: { "memory.high": "1" } })).toThrow(
      'linux.resources.unified["memory.high"]: it is a cgroup v2 file and this host has no cgroup2 hierarchy (cgroup mode v1)',
    );
    const hybrid: ControllerHome = { ...v1Home, v2Dir: "/cg/unified/x", v2Root: "/cg/unified", v2Controllers: new Set(["hugetlb"]), mode: "hybrid" };
    expect(() => lines(hybrid, { unified: { "memory.high": "1" } })).toThrow("the memory controller is not available in the cgroup2 hierarchy (cgroup mode hybrid)");
  });
  test("hybrid: v1 where the controller is there, else unified", () => {
    const hybrid: ControllerHome = { ...v1Home, v2Dir: "/cg/unified/x", v2Controllers: new Set(["hugetlb"]), mode: "hybrid" };
    expect(lines(hybrid, { pids: { limit: 5 }, hugepageLimits: [{ pageSize: "2MB", limit: 4194304 }] })).toEqual([
      "/cg/pids/x/pids.max=5",
      "/cg/unified/x/hugetlb.2MB.max=4194304",
    ]);
  });
  test("device rules: deny all, the config's rules, then what every container gets", () => {
    const rules = effectiveDeviceRules([{ allow: false, access: "rwm" }, { allow: true, type: "c", major: 10, minor: 229, access: "rw" }], [{ path: "/dev/x", type: "b", major: 7, minor: 0 }]);
    const out = lines(v1Home, { devices: rules });
    expect(out.slice(0, 3)).toEqual(["/cg/devices/x/devices.deny=a", "/cg/devices/x/devices.deny=a", "/cg/devices/x/devices.allow=c 10:229 rw"]);
    expect(out).toContain("/cg/devices/x/devices.allow=c 136:* rwm");
    expect(out).toContain("/cg/devices/x/devices.allow=c 1:3 rwm");
    expect(out.at(-1)).toBe("/cg/devices/x/devices.allow=b 7:0 rwm");
    expect(effectiveDeviceRules(undefined, [{ path: "/dev/x", type: "c", major: 1, minor: 1 }])).toEqual([]);
  });
});

describe("v2 controller enabling", () => {
  test("every level from the root down to the container's parent enables what is used, before the limits", () => {
    const deep: ControllerHome = { ...v2Home, v2Dir: "/cg/a/b/ctr" };
    expect(all(deep, { memory: { limit: 100 }, pids: { limit: 3 } })).toEqual([
      "/cg/cgroup.subtree_control=+memory +pids",
      "/cg/a/cgroup.subtree_control=+memory +pids",
      "/cg/a/b/cgroup.subtree_control=+memory +pids",
      "/cg/a/b/ctr/memory.max=100",
      "/cg/a/b/ctr/pids.max=3",
    ]);
  });
  test("blkio is enabled as io; nothing is enabled when v1 carries everything", () => {
    expect(all(v2Home, { blockIO: { weight: 10 } })[0]).toBe("/cg/cgroup.subtree_control=+io");
    expect(all(v1Home, { pids: { limit: 3 } })).toEqual(["/cg/pids/x/pids.max=3"]);
  });
  test("the controllers a hierarchy offers come from its root", () => {
    const read = (p: string) => {
      if (p === "/cg/cgroup.controllers") return "cpuset cpu io memory pids\n";
      throw new Error("ENOENT");
    };
    expect([...rootControllers("/cg", read)]).toEqual(["cpuset", "cpu", "io", "memory", "pids"]);
    expect([...rootControllers("/nope", read)]).toEqual([]);
    expect([...rootControllers(undefined, read)]).toEqual([]);
  });
});

describe("io byte counters", () => {
  test("v1 blkio and v2 io.stat parse to the same shape", async () => {
    const { parseBlkioServiceBytes, parseIoStat } = await import("../../src/oci/ops/cgroup-control.ts");
    expect(parseBlkioServiceBytes("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\nTotal 12288\n")).toEqual([
      { major: 8, minor: 0, op: "Read", value: 4096 },
      { major: 8, minor: 0, op: "Write", value: 8192 },
    ]);
    expect(parseIoStat("254:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n")).toEqual([
      { major: 254, minor: 0, op: "Read", value: 100 },
      { major: 254, minor: 0, op: "Write", value: 200 },
    ]);
  });
});

describe("v1 memory write order for update", () => {
  test("raising memory and memsw writes memsw first; lowering writes the limit first", async () => {
    const { orderMemoryWrites } = await import("../../src/oci/ops/cgroup-control.ts");
    const w = (limit: number, memsw: number) => [
      { path: "/m/memory.limit_in_bytes", value: String(limit), knob: "l" },
      { path: "/m/memory.memsw.limit_in_bytes", value: String(memsw), knob: "s" },
      { path: "/p/pids.max", value: "5", knob: "p" },
    ];
    const current = (n: number) => () => `${n}\n`;
    expect(orderMemoryWrites(w(200, 300), current(100)).map((x) => x.knob)).toEqual(["s", "l", "p"]);
    expect(orderMemoryWrites(w(50, 80), current(100)).map((x) => x.knob)).toEqual(["l", "s", "p"]);
    expect(orderMemoryWrites(w(50, 80), () => { throw new Error("ENOENT"); }).map((x) => x.knob)).toEqual(["l", "s", "p"]);
  });
});
