// The state users see, rebuilt every time from the monitor's status.msgpack and /proc:
// a pid counts only together with its start time, so a dead monitor, a killed CLI or a
// recycled pid never makes `ps` lie.
import { isSameLiveProcess } from "../state/proc-stat.ts";
import { type MonitorStatus, readStatus } from "./monitor-client.ts";

export type ShownStatus = "created" | "running" | "paused" | "restarting" | "exited" | "dead";

export interface LiveState {
  status: ShownStatus;
  running: boolean;
  pid: number;
  /** The pid's start time in /proc (0 when not running). */
  pidStartTime: number;
  monitorPid: number;
  /** The monitor is alive (it will record the exit and apply the restart policy). */
  monitored: boolean;
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  startedAt: string;
  finishedAt: string;
  restartCount: number;
  error: string;
}

/** status.msgpack in the container's live dir; a half-written or missing one is "none". */
export function readMonitorStatus(liveDir: string): MonitorStatus | undefined {
  try {
    return readStatus(liveDir);
  } catch {
    return undefined;
  }
}

const ZERO_TIME = "0001-01-01T00:00:00Z";

export interface ProcCheck {
  alive(pid: number, startTime: number): boolean;
  paused(): boolean;
}

/** Pure: the shown state from what the monitor last wrote and what /proc says now. */
export function liveState(st: MonitorStatus | undefined, proc: ProcCheck): LiveState {
  if (!st)
    return { status: "created", running: false, pid: 0, pidStartTime: 0, monitorPid: 0, monitored: false, exitCode: 0, signal: 0, oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME, restartCount: 0, error: "" };
  const monitored = proc.alive(st.monitorPid, st.monitorStartTime);
  const containerAlive = st.pid > 0 && proc.alive(st.pid, st.pidStartTime);
  const base = {
    pid: 0, pidStartTime: 0, monitorPid: monitored ? st.monitorPid : 0, monitored, exitCode: st.exitCode ?? 0, signal: st.signal ?? 0, oomKilled: !!st.oomKilled,
    startedAt: st.startedAt || ZERO_TIME, finishedAt: st.finishedAt || ZERO_TIME, restartCount: st.restartCount ?? 0, error: st.error ?? "",
  };
  if (containerAlive && st.status !== "exited") {
    return { ...base, pid: st.pid, pidStartTime: st.pidStartTime, running: true, status: proc.paused() ? "paused" : "running" };
  }
  if (st.status === "exited") return { ...base, running: false, status: "exited" };
  if (monitored) {
    // Between two runs of a restart policy, or created and waiting to be released.
    return { ...base, running: false, status: st.status === "created" ? "created" : "restarting" };
  }
  // The monitor died without recording the end: the container is gone and its code unknown.
  return { ...base, running: false, status: "exited", exitCode: st.status === "created" ? 0 : 255, error: "the container's monitor exited without recording the exit" };
}

export const procCheck = (pausedFn: () => boolean = () => false): ProcCheck => ({ alive: (pid, start) => isSameLiveProcess(pid, start), paused: pausedFn });
