// pause/resume, stats and live updates through the container's cgroup files. The full
// resource model (all controllers, v1 and v2) belongs to the cgroups work; this covers
// the freezer and the most used knobs on both hierarchies.
import { readFileSync } from "node:fs";
import { controllerHome } from "../../cgroups/home.ts";
import { resourceWrites } from "../../cgroups/placement.ts";
import { addon } from "../../native/addon.ts";
import type { CgroupWrite } from "../../cgroups/writes.ts";
import type { LinuxResources } from "../spec.ts";
import { cgroupMode, dirForController } from "../../runtime/cgroup-paths.ts";
import { HuskError } from "../../runtime/errors.ts";
import type { ContainerState } from "../../state/container-state.ts";
import { cgroupPids } from "./cgroup-cleanup.ts";
import { freezerFile } from "./status.ts";

export function setFrozen(state: ContainerState, frozen: boolean): void {
  const f = freezerFile(state);
  if (!f) throw new HuskError(`container "${state.id}": no freezer cgroup (neither v1 freezer nor cgroup.freeze)`, "mount the freezer controller");
  const v1 = f.path.endsWith("freezer.state");
  addon().writeCgroupFiles([[f.path, v1 ? (frozen ? "FROZEN" : "THAWED") : frozen ? "1" : "0"]]);
  // v1 reports FREEZING until every task stopped: wait for the final state.
  for (let i = 0; v1 && frozen && i < 1000; i++) {
    if (readFileSync(f.path, "utf8").trim() === "FROZEN") return;
    Bun.sleepSync(1);
  }
}

function dirFor(state: ContainerState, controller: string): string | undefined {
  return dirForController(state.cgroup.dirs, controller);
}

function readNum(path: string): number | undefined {
  try {
    const t = readFileSync(path, "utf8").trim();
    return t === "max" ? undefined : Number(t);
  } catch {
    return undefined;
  }
}

/** A "key value" per line cgroup file (memory.stat, cpu.stat, memory.events); {} if unreadable. */
export function readKeyed(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const [k, v] = line.split(" ");
      if (k && v !== undefined) out[k] = Number(v);
    }
  } catch {}
  return out;
}

/** How many times the kernel's OOM killer struck inside the container's memory cgroup
 * (v1: memory.oom_control, v2: memory.events). */
export function oomKills(state: ContainerState): number {
  const mem = dirFor(state, "memory");
  if (mem) return readKeyed(`${mem}/memory.oom_control`).oom_kill ?? 0;
  const v2 = state.cgroup.v2Dir;
  return v2 ? (readKeyed(`${v2}/memory.events`).oom_kill ?? 0) : 0;
}

export interface IoBytes {
  major: number;
  minor: number;
  op: "Read" | "Write";
  value: number;
}

/** v1 blkio.throttle.io_service_bytes: "8:0 Read 4096" lines. */
export function parseBlkioServiceBytes(text: string): IoBytes[] {
  const out: IoBytes[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+):(\d+) (Read|Write) (\d+)$/.exec(line);
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3] as "Read" | "Write", value: Number(m[4]) });
  }
  return out;
}

/** v2 io.stat: "8:0 rbytes=4096 wbytes=0 rios=1 ..." lines. */
export function parseIoStat(text: string): IoBytes[] {
  const out: IoBytes[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+):(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const kv = Object.fromEntries(m[3]!.split(" ").map((p) => p.split("=")));
    out.push({ major: Number(m[1]), minor: Number(m[2]), op: "Read", value: Number(kv.rbytes ?? 0) });
    out.push({ major: Number(m[1]), minor: Number(m[2]), op: "Write", value: Number(kv.wbytes ?? 0) });
  }
  return out;
}

/** Bytes read and written per device by the container's processes. */
export function ioServiceBytes(state: ContainerState): IoBytes[] {
  const blkio = dirFor(state, "blkio");
  try {
    if (blkio) return parseBlkioServiceBytes(readFileSync(`${blkio}/blkio.throttle.io_service_bytes`, "utf8"));
    if (state.cgroup.v2Dir) return parseIoStat(readFileSync(`${state.cgroup.v2Dir}/io.stat`, "utf8"));
  } catch {}
  return [];
}

/** The stats object of runc's `events --stats` (the subset husk reads today). Each
 * figure comes from the v1 hierarchy that carries its controller, else from v2. */
export function containerStats(state: ContainerState) {
  const v2 = state.cgroup.v2Dir;
  const mem = dirFor(state, "memory");
  const cpuacct = dirFor(state, "cpuacct");
  const cpu = dirFor(state, "cpu");
  const pidsDir = dirFor(state, "pids");
  const cpuStat = v2 ? readKeyed(`${v2}/cpu.stat`) : {};
  const throttle = cpu ? readKeyed(`${cpu}/cpu.stat`) : cpuStat;
  const memory = mem
    ? {
        usage: readNum(`${mem}/memory.usage_in_bytes`) ?? 0,
        max: readNum(`${mem}/memory.max_usage_in_bytes`) ?? 0,
        limit: readNum(`${mem}/memory.limit_in_bytes`) ?? 0,
        failcnt: readNum(`${mem}/memory.failcnt`) ?? 0,
      }
    : {
        usage: (v2 && readNum(`${v2}/memory.current`)) || 0,
        max: (v2 && readNum(`${v2}/memory.peak`)) || 0,
        limit: (v2 && readNum(`${v2}/memory.max`)) || 0,
        // v2 counts how often usage hit memory.max in memory.events ("max N").
        failcnt: (v2 && readKeyed(`${v2}/memory.events`).max) || 0,
      };
  // Without a pids controller, count the processes in the cgroup.
  const pidsCurrent = pidsDir ? readNum(`${pidsDir}/pids.current`) : v2 ? readNum(`${v2}/pids.current`) : undefined;
  const pidsMax = pidsDir ? readNum(`${pidsDir}/pids.max`) : v2 ? readNum(`${v2}/pids.max`) : undefined;
  return {
    cpu: {
      usage: { total: cpuacct ? readNum(`${cpuacct}/cpuacct.usage`) ?? 0 : (cpuStat.usage_usec ?? 0) * 1000 },
      throttling: {
        periods: throttle.nr_periods ?? 0,
        throttledPeriods: throttle.nr_throttled ?? 0,
        throttledTime: throttle.throttled_time ?? (throttle.throttled_usec ?? 0) * 1000,
      },
    },
    memory: { usage: memory, oomKills: oomKills(state) },
    blkio: { ioServiceBytesRecursive: ioServiceBytes(state) },
    pids: { current: pidsCurrent ?? cgroupPids(state.cgroup).length, limit: pidsMax ?? 0 },
  };
}

/**
 * v1 insists on memory.limit_in_bytes <= memory.memsw.limit_in_bytes after every write.
 * When the new memsw is at least the current limit, write memsw first (raising both);
 * otherwise the limit first (lowering). A new cgroup starts unlimited, so create always
 * writes the limit first, which is the order the mapping gives.
 */
export function orderMemoryWrites(writes: CgroupWrite[], read = (p: string) => readFileSync(p, "utf8")): CgroupWrite[] {
  const limit = writes.findIndex((w) => w.path.endsWith("/memory.limit_in_bytes"));
  const memsw = writes.findIndex((w) => w.path.endsWith("/memory.memsw.limit_in_bytes"));
  if (limit < 0 || memsw < 0) return writes;
  let current: number;
  try {
    current = Number(read(writes[limit]!.path).trim());
  } catch {
    return writes;
  }
  if (Number(writes[memsw]!.value) < current) return writes;
  const out = writes.filter((_, i) => i !== memsw);
  out.splice(out.findIndex((w) => w === writes[limit]), 0, writes[memsw]!);
  return out;
}

/** `update`: the same knob mapping as at create, written by the addon (C). */
export function updateResources(state: ContainerState, resources: LinuxResources): void {
  const writes = orderMemoryWrites(resourceWrites(resources, controllerHome(state.cgroup, cgroupMode())));
  try {
    addon().writeCgroupFiles(writes.map((w) => [w.path, w.value]));
  } catch (e) {
    throw new HuskError(`update: ${(e as Error).message}`, "is the value valid for this kernel, and the controller enabled?");
  }
}
