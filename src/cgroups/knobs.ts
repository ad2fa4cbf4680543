// linux.resources as a list of knobs, each with its cgroup v1 and v2 spelling. Where a
// knob lands is decided later (placement.ts), per controller, so that hybrid hosts can
// use whichever hierarchy carries the controller.
import type { LinuxDevice, LinuxDeviceCgroup, LinuxResources } from "../oci/spec.ts";
import { blkioToIoWeight, maxOr, sharesToWeight, v2SwapMax } from "./convert.ts";

export interface FileValue {
  file: string;
  value: string;
}

export interface Knob {
  /** The config.json field, for messages. */
  knob: string;
  controller: string;
  v1?: FileValue;
  /** Absent: v2 cannot express it. */
  v2?: FileValue;
  /** Why the v2 spelling is missing, when it is. */
  v2Missing?: string;
  /** On v2 another knob already writes this one's file (cpu.max carries quota and period). */
  v2Covered?: boolean;
}

const fv = (file: string, value: string | number): FileValue => ({ file, value: String(value) });

function deviceRule(d: LinuxDeviceCgroup): string {
  const type = d.type ?? "a";
  if (type === "a") return "a";
  const num = (n: number | undefined) => (n === undefined || n < 0 ? "*" : String(n));
  return `${type} ${num(d.major)}:${num(d.minor)} ${d.access ?? "rwm"}`;
}

/** Devices every container may use whatever its rules say, as runc grants them: mknod of
 * any node, the standard character devices, the pty master and slaves, and tun. */
export const ALWAYS_ALLOWED_DEVICES: readonly LinuxDeviceCgroup[] = [
  { allow: true, type: "c", access: "m" },
  { allow: true, type: "b", access: "m" },
  ...[[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2], [10, 200]].map(([major, minor]) => ({ allow: true, type: "c", major, minor, access: "rwm" })),
  { allow: true, type: "c", major: 136, access: "rwm" },
];

/** The device rules the cgroup gets: the config's, then the always-allowed ones and the
 * config's own linux.devices. No rules at all leaves the devices cgroup as inherited. */
export function effectiveDeviceRules(rules: readonly LinuxDeviceCgroup[] | undefined, devices: readonly LinuxDevice[] | undefined): LinuxDeviceCgroup[] {
  if (!rules?.length) return [];
  const own = (devices ?? []).filter((d) => d.type !== "p").map((d) => ({ allow: true, type: d.type === "u" ? "c" : d.type, major: d.major, minor: d.minor, access: "rwm" }));
  return [...rules, ...ALWAYS_ALLOWED_DEVICES, ...own];
}

export function resourceKnobs(r: LinuxResources): Knob[] {
  const out: Knob[] = [];
  const add = (k: Knob) => out.push(k);
  const m = r.memory;
  if (m) {
    if (m.limit !== undefined) add({ knob: "memory.limit", controller: "memory", v1: fv("memory.limit_in_bytes", m.limit), v2: fv("memory.max", maxOr(m.limit)) });
    if (m.reservation !== undefined)
      add({ knob: "memory.reservation", controller: "memory", v1: fv("memory.soft_limit_in_bytes", m.reservation), v2: fv("memory.low", m.reservation < 0 ? 0 : m.reservation) });
    if (m.swap !== undefined) {
      let v2: FileValue | undefined;
      let why: string | undefined;
      try {
        v2 = fv("memory.swap.max", v2SwapMax(m.limit, m.swap));
      } catch (e) {
        why = (e as Error).message;
      }
      add({ knob: "memory.swap", controller: "memory", v1: fv("memory.memsw.limit_in_bytes", m.swap), v2, v2Missing: why });
    }
    if (m.swappiness !== undefined && m.swappiness >= 0)
      add({ knob: "memory.swappiness", controller: "memory", v1: fv("memory.swappiness", m.swappiness), v2Missing: "cgroup v2 has no per-cgroup swappiness" });
    if (m.disableOOMKiller)
      add({ knob: "memory.disableOOMKiller", controller: "memory", v1: fv("memory.oom_control", 1), v2Missing: "cgroup v2 cannot disable the OOM killer" });
    if (m.kernelTCP) add({ knob: "memory.kernelTCP", controller: "memory", v1: fv("memory.kmem.tcp.limit_in_bytes", m.kernelTCP), v2Missing: "cgroup v2 has no separate TCP memory limit" });
    if (m.kernel) add({ knob: "memory.kernel", controller: "memory", v2Missing: "kernel memory limits are deprecated" });
    if (m.useHierarchy !== undefined)
      add({ knob: "memory.useHierarchy", controller: "memory", v1: fv("memory.use_hierarchy", m.useHierarchy ? 1 : 0), v2Covered: true });
  }
  const c = r.cpu;
  if (c) {
    if (c.shares) add({ knob: "cpu.shares", controller: "cpu", v1: fv("cpu.shares", c.shares), v2: fv("cpu.weight", sharesToWeight(c.shares)) });
    if (c.period || c.quota) {
      const v2 = fv("cpu.max", `${c.quota && c.quota > 0 ? c.quota : "max"} ${c.period || 100000}`);
      if (c.period) add({ knob: "cpu.period", controller: "cpu", v1: fv("cpu.cfs_period_us", c.period), v2 });
      if (c.quota) add({ knob: "cpu.quota", controller: "cpu", v1: fv("cpu.cfs_quota_us", c.quota), ...(c.period ? { v2Covered: true } : { v2 }) });
    }
    if (c.burst !== undefined) add({ knob: "cpu.burst", controller: "cpu", v1: fv("cpu.cfs_burst_us", c.burst), v2: fv("cpu.max.burst", c.burst) });
    if (c.realtimePeriod) add({ knob: "cpu.realtimePeriod", controller: "cpu", v1: fv("cpu.rt_period_us", c.realtimePeriod), v2Missing: "cgroup v2 has no realtime budget" });
    if (c.realtimeRuntime) add({ knob: "cpu.realtimeRuntime", controller: "cpu", v1: fv("cpu.rt_runtime_us", c.realtimeRuntime), v2Missing: "cgroup v2 has no realtime budget" });
    if (c.cpus) add({ knob: "cpu.cpus", controller: "cpuset", v1: fv("cpuset.cpus", c.cpus), v2: fv("cpuset.cpus", c.cpus) });
    if (c.mems) add({ knob: "cpu.mems", controller: "cpuset", v1: fv("cpuset.mems", c.mems), v2: fv("cpuset.mems", c.mems) });
    if (c.idle) add({ knob: "cpu.idle", controller: "cpu", v1: fv("cpu.idle", c.idle), v2: fv("cpu.idle", c.idle) });
  }
  if (r.pids) add({ knob: "pids.limit", controller: "pids", v1: fv("pids.max", maxOr(r.pids.limit > 0 ? r.pids.limit : -1)), v2: fv("pids.max", maxOr(r.pids.limit > 0 ? r.pids.limit : -1)) });
  const b = r.blockIO;
  if (b) {
    if (b.weight) add({ knob: "blockIO.weight", controller: "blkio", v1: fv("blkio.weight", b.weight), v2: fv("io.weight", `default ${blkioToIoWeight(b.weight)}`) });
    if (b.leafWeight) add({ knob: "blockIO.leafWeight", controller: "blkio", v1: fv("blkio.leaf_weight", b.leafWeight), v2Missing: "cgroup v2 has no leaf weight" });
    for (const d of b.weightDevice ?? []) {
      if (d.weight)
        add({ knob: "blockIO.weightDevice", controller: "blkio", v1: fv("blkio.weight_device", `${d.major}:${d.minor} ${d.weight}`), v2: fv("io.weight", `${d.major}:${d.minor} ${blkioToIoWeight(d.weight)}`) });
      if (d.leafWeight)
        add({ knob: "blockIO.weightDevice", controller: "blkio", v1: fv("blkio.leaf_weight_device", `${d.major}:${d.minor} ${d.leafWeight}`), v2Missing: "cgroup v2 has no leaf weight" });
    }
    const throttles = [
      ["throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps"],
      ["throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps"],
      ["throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops"],
      ["throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops"],
    ] as const;
    for (const [key, file, io] of throttles)
      for (const d of b[key] ?? [])
        add({ knob: `blockIO.${key}`, controller: "blkio", v1: fv(file, `${d.major}:${d.minor} ${d.rate}`), v2: fv("io.max", `${d.major}:${d.minor} ${io}=${d.rate}`) });
  }
  for (const h of r.hugepageLimits ?? [])
    add({ knob: "hugepageLimits", controller: "hugetlb", v1: fv(`hugetlb.${h.pageSize}.limit_in_bytes`, h.limit), v2: fv(`hugetlb.${h.pageSize}.max`, h.limit) });
  if (r.network?.classID !== undefined)
    add({ knob: "network.classID", controller: "net_cls", v1: fv("net_cls.classid", r.network.classID), v2Missing: "cgroup v2 has no net_cls controller" });
  for (const p of r.network?.priorities ?? [])
    add({ knob: "network.priorities", controller: "net_prio", v1: fv("net_prio.ifpriomap", `${p.name} ${p.priority}`), v2Missing: "cgroup v2 has no net_prio controller" });
  for (const [dev, lim] of Object.entries(r.rdma ?? {})) {
    const parts = [lim.hcaHandles !== undefined ? `hca_handle=${lim.hcaHandles}` : "", lim.hcaObjects !== undefined ? `hca_object=${lim.hcaObjects}` : ""].filter(Boolean);
    if (parts.length) add({ knob: "rdma", controller: "rdma", v1: fv("rdma.max", `${dev} ${parts.join(" ")}`), v2: fv("rdma.max", `${dev} ${parts.join(" ")}`) });
  }
  if (r.devices?.length) {
    // Start from nothing allowed, then apply the rules in order (what runc does).
    const v2Missing = "device rules on cgroup v2 need the eBPF device filter, which husk does not build yet";
    add({ knob: "devices", controller: "devices", v1: fv("devices.deny", "a"), v2Missing });
    for (const d of r.devices) add({ knob: "devices", controller: "devices", v1: fv(d.allow ? "devices.allow" : "devices.deny", deviceRule(d)), v2Missing });
  }
  for (const [file, value] of Object.entries(r.unified ?? {})) {
    if (file.includes("/") || file.startsWith(".")) throw new Error(`linux.resources.unified["${file}"]: not a cgroup file name`);
    add({ knob: `unified["${file}"]`, controller: file.split(".")[0] ?? file, v2: fv(file, value), v2Missing: undefined });
  }
  return out;
}
