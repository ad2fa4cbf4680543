// `husk stats`: one sample of a container's cgroup counters (the OCI face's
// containerStats, v1 and v2) plus network bytes from its netns, and docker's
// derived figures: CPU % between two samples, memory without the page cache, and
// docker's units (binary for memory, decimal for network and block I/O).
import { readFileSync } from "node:fs";
import { containerStats, readKeyed } from "../oci/ops/cgroup-control.ts";
import { dirForController } from "../runtime/cgroup-paths.ts";
import type { ContainerState } from "../state/container-state.ts";
import type { ContainerRecord } from "./record.ts";

export interface StatsSample {
  /** Wall clock, ms. */
  at: number;
  /** CPU time used, ns. */
  cpuNs: number;
  memUsage: number;
  memLimit: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
}

/** Sums of /proc/<pid>/net/dev (the container's netns), loopback left out as docker does. */
export function parseNetDev(text: string): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of text.split("\n").slice(2)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    if (line.slice(0, colon).trim() === "lo") continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    rx += f[0] ?? 0;
    tx += f[8] ?? 0;
  }
  return { rx, tx };
}

export function hostMemTotal(meminfo = "/proc/meminfo"): number {
  try {
    return Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync(meminfo, "latin1"))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** docker's usage: the page cache that could be dropped is not counted
 * (v1 total_inactive_file, v2 inactive_file). */
export function memoryWithoutCache(usage: number, memoryStat: Record<string, number>): number {
  const cache = memoryStat.total_inactive_file ?? memoryStat.inactive_file ?? 0;
  return usage > cache ? usage - cache : usage;
}

/** An unlimited cgroup reports a huge number (v1) or nothing (v2): the host's memory then. */
export function effectiveLimit(limit: number, hostTotal: number): number {
  return limit > 0 && limit < hostTotal ? limit : hostTotal;
}

export function sampleStats(rec: ContainerRecord, pid: number, now = Date.now()): StatsSample {
  const cg = rec.cgroup;
  if (!cg) return { at: now, cpuNs: 0, memUsage: 0, memLimit: hostMemTotal(), netRx: 0, netTx: 0, blkRead: 0, blkWrite: 0, pids: 0 };
  const s = containerStats({ id: rec.id, cgroup: { dirs: cg.dirs, v2Dir: cg.v2Dir, created: cg.created } } as unknown as ContainerState);
  const memDir = dirForController(cg.dirs, "memory") ?? cg.v2Dir;
  const stat = memDir ? readKeyed(`${memDir}/memory.stat`) : {};
  let net = { rx: 0, tx: 0 };
  if (pid > 0) {
    try {
      net = parseNetDev(readFileSync(`/proc/${pid}/net/dev`, "latin1"));
    } catch {}
  }
  const io = s.blkio.ioServiceBytesRecursive;
  return {
    at: now,
    cpuNs: s.cpu.usage.total,
    memUsage: memoryWithoutCache(s.memory.usage.usage, stat),
    memLimit: effectiveLimit(s.memory.usage.limit, hostMemTotal()),
    netRx: net.rx,
    netTx: net.tx,
    blkRead: io.filter((b) => b.op === "Read").reduce((a, b) => a + b.value, 0),
    blkWrite: io.filter((b) => b.op === "Write").reduce((a, b) => a + b.value, 0),
    pids: s.pids.current,
  };
}

/** CPU % of one CPU (docker: 200 % is two CPUs busy), between two samples. */
export function cpuPercent(prev: StatsSample | undefined, cur: StatsSample): number {
  if (!prev || cur.at <= prev.at || cur.cpuNs < prev.cpuNs) return 0;
  return ((cur.cpuNs - prev.cpuNs) / ((cur.at - prev.at) * 1e6)) * 100;
}

/** The %.4g that docker's go-units prints. */
const g4 = (n: number) => String(Number(n.toPrecision(4)));

/** docker's BytesSize: binary units (KiB, MiB, ...). */
export function binarySize(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${g4(n)}${units[i]}`;
}

/** docker's HumanSize: decimal units (kB, MB, ...). */
export function decimalSize(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${g4(n)}${units[i]}`;
}

export interface StatsRow {
  ID: string;
  Name: string;
  Container: string;
  CPUPerc: string;
  MemUsage: string;
  MemPerc: string;
  NetIO: string;
  BlockIO: string;
  PIDs: string;
}

export function statsRow(rec: ContainerRecord, cur: StatsSample, prev: StatsSample | undefined, ref: string, running: boolean): StatsRow {
  if (!running)
    return { ID: rec.id.slice(0, 12), Name: rec.name, Container: ref, CPUPerc: "0.00%", MemUsage: "0B / 0B", MemPerc: "0.00%", NetIO: "0B / 0B", BlockIO: "0B / 0B", PIDs: "0" };
  const memPerc = cur.memLimit ? (cur.memUsage / cur.memLimit) * 100 : 0;
  return {
    ID: rec.id.slice(0, 12),
    Name: rec.name,
    Container: ref,
    CPUPerc: `${cpuPercent(prev, cur).toFixed(2)}%`,
    MemUsage: `${binarySize(cur.memUsage)} / ${binarySize(cur.memLimit)}`,
    MemPerc: `${memPerc.toFixed(2)}%`,
    NetIO: `${decimalSize(cur.netRx)} / ${decimalSize(cur.netTx)}`,
    BlockIO: `${decimalSize(cur.blkRead)} / ${decimalSize(cur.blkWrite)}`,
    PIDs: String(cur.pids),
  };
}

const COLUMNS: [string, keyof StatsRow][] = [
  ["CONTAINER ID", "ID"], ["NAME", "Name"], ["CPU %", "CPUPerc"], ["MEM USAGE / LIMIT", "MemUsage"], ["MEM %", "MemPerc"], ["NET I/O", "NetIO"], ["BLOCK I/O", "BlockIO"], ["PIDS", "PIDs"],
];

export function statsTable(rows: StatsRow[]): string {
  const widths = COLUMNS.map(([h, k]) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join("")}\n`;
  return line(COLUMNS.map(([h]) => h)) + rows.map((r) => line(COLUMNS.map(([, k]) => r[k]))).join("");
}
