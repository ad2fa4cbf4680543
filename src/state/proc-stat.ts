// Reading /proc/<pid>/stat: a pid is only trusted together with its start time, so a
// recycled pid is never mistaken for our container.
import { readFileSync } from "node:fs";

export interface ProcStat {
  state: string; // R, S, D, Z, T, ...
  startTime: number; // clock ticks since boot (field 22)
  ppid: number;
}

export function readProcStat(pid: number, procRoot = "/proc"): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = rest[0] ?? "?";
  const ppid = Number(rest[1]);
  const startTime = Number(rest[19]);
  return { state, startTime, ppid };
}

/** True when pid runs and is the same process we recorded (not a zombie, not reused). */
export function isSameLiveProcess(pid: number, startTime: number, procRoot = "/proc"): boolean {
  if (pid <= 0) return false;
  const st = readProcStat(pid, procRoot);
  return st !== undefined && st.state !== "Z" && st.state !== "X" && st.startTime === startTime;
}
