// `husk top`: the processes in a container's cgroups. Without ps options the table is
// built from /proc with docker's default columns (those of `ps -ef`); with options, the
// host's ps prints them and the rows are kept whose PID is in the container (docker's
// way). The pure parts take their inputs, so they are unit-tested without /proc.
import { readFileSync } from "node:fs";
import { HuskError } from "../runtime/errors.ts";

export interface ProcInfo {
  pid: number;
  ppid: number;
  uid: number;
  /** utime + stime, clock ticks. */
  cpuTicks: number;
  /** Start time, clock ticks after boot. */
  startTicks: number;
  ttyNr: number;
  comm: string;
  cmdline: string[];
}

export const CLK_TCK = 100;

/** One process from /proc, or undefined when it has gone. */
export function readProc(pid: number, procRoot = "/proc"): ProcInfo | undefined {
  try {
    const stat = readFileSync(`${procRoot}/${pid}/stat`, "latin1");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const status = readFileSync(`${procRoot}/${pid}/status`, "latin1");
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    let cmdline: string[] = [];
    try {
      cmdline = readFileSync(`${procRoot}/${pid}/cmdline`, "utf8").split("\0").filter((a, i, all) => a !== "" || i < all.length - 1);
    } catch {}
    return { pid, ppid: Number(f[1]), uid, cpuTicks: Number(f[11]) + Number(f[12]), startTicks: Number(f[19]), ttyNr: Number(f[4]), comm, cmdline };
  } catch {
    return undefined;
  }
}

/** tty_nr to ps's name: pts/N for the Unix98 ptys, ttyN for consoles, ? for none. */
export function ttyName(ttyNr: number): string {
  if (!ttyNr) return "?";
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4 && minor < 64) return `tty${minor}`;
  return "?";
}

const pad2 = (n: number) => String(n).padStart(2, "0");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ps's STIME: HH:MM today, "Mon DD" before. */
export function stime(start: Date, now: Date): string {
  if (start.toDateString() === now.toDateString()) return `${pad2(start.getHours())}:${pad2(start.getMinutes())}`;
  return `${MONTHS[start.getMonth()]}${pad2(start.getDate())}`;
}

/** ps's TIME: cumulative CPU as [DD-]HH:MM:SS. */
export function cpuTime(ticks: number): string {
  const s = Math.floor(ticks / CLK_TCK);
  const days = Math.floor(s / 86400);
  const hms = `${pad2(Math.floor((s % 86400) / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
  return days ? `${days}-${hms}` : hms;
}

export interface TopContext {
  /** Seconds since boot now. */
  uptime: number;
  /** Wall time of the boot, ms since the epoch. */
  bootMs: number;
  now: Date;
  userName(uid: number): string;
}

export const DEFAULT_TITLES = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"];

/** docker's default `top` rows (ps -ef columns). */
export function defaultRow(p: ProcInfo, ctx: TopContext): string[] {
  const elapsed = ctx.uptime - p.startTicks / CLK_TCK;
  const c = elapsed > 0 ? Math.floor((p.cpuTicks / CLK_TCK / elapsed) * 100) : 0;
  const cmd = p.cmdline.length ? p.cmdline.join(" ") : `[${p.comm}]`;
  return [ctx.userName(p.uid), String(p.pid), String(p.ppid), String(c), stime(new Date(ctx.bootMs + (p.startTicks / CLK_TCK) * 1000), ctx.now), ttyName(p.ttyNr), cpuTime(p.cpuTicks), cmd];
}

/** The host's user names (ps shows host names: ids are not mapped by default). */
export function hostUserNames(passwd = "/etc/passwd"): (uid: number) => string {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync(passwd, "utf8").split("\n")) {
      const f = line.split(":");
      if (f.length >= 3 && !names.has(Number(f[2]))) names.set(Number(f[2]), f[0]!);
    }
  } catch {}
  return (uid) => names.get(uid) ?? String(uid);
}

export function hostTopContext(now = new Date()): TopContext {
  const uptime = Number(readFileSync("/proc/uptime", "latin1").split(" ")[0]);
  return { uptime, bootMs: now.getTime() - uptime * 1000, now, userName: hostUserNames() };
}

/**
 * Rows of the host's `ps` output that belong to the container: the header names the PID
 * column (docker refuses options without one), and the last column may hold spaces.
 */
export function filterPsOutput(output: string, pids: Set<number>): { titles: string[]; rows: string[][] } {
  const lines = output.split("\n").filter((l) => l.trim() !== "");
  const titles = (lines[0] ?? "").trim().split(/\s+/);
  const pidCol = titles.indexOf("PID");
  if (pidCol < 0) throw new HuskError(`the ps options give no PID column (${titles.join(" ")})`, "include pid, e.g. 'husk top web -o pid,comm'", 1);
  const rows: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    const head = fields.slice(0, titles.length - 1);
    const row = [...head, fields.slice(titles.length - 1).join(" ")];
    if (pids.has(Number(row[pidCol]))) rows.push(row);
  }
  return { titles, rows };
}

/** Columns padded as docker prints them (left-aligned, three spaces apart, last one free). */
export function renderColumns(titles: string[], rows: string[][]): string {
  const widths = titles.map((t, i) => Math.max(t.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join("").trimEnd()}\n`;
  return line(titles) + rows.map(line).join("");
}
