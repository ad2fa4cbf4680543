// `husk stop`, `kill` and the kill inside `rm -f`. With a live monitor, stop goes
// through it (frame 6: stop signal, SIGKILL after the timeout, no restart after); with the
// monitor gone, husk signals the container's pid itself, trusting it only with its
// start time.
import { addon } from "../native/addon.ts";
import { parseSignal } from "../oci/ops/signals.ts";
import { HuskError } from "../runtime/errors.ts";
import { isSameLiveProcess } from "../state/proc-stat.ts";
import { stop as monitorStop } from "./monitor-client.ts";
import { currentState } from "./container-state.ts";
import { recordEvent } from "./events.ts";
import type { LiveState } from "./live-state.ts";
import type { ContainerPaths } from "./paths.ts";
import type { ContainerRecord } from "./record.ts";

/** docker: --stop-timeout, else 10 s. */
export const stopTimeoutOf = (rec: ContainerRecord, flag?: number) => flag ?? rec.config.StopTimeout ?? 10;

function waitGone(pid: number, ms: number): boolean {
  return addon().waitPidExit(pid, ms);
}

/** Stop: the monitor does it when it lives; otherwise signal, wait, SIGKILL. */
export async function stopContainer(rec: ContainerRecord, paths: ContainerPaths, timeout: number): Promise<void> {
  const live = currentState(rec, paths);
  if (live.monitored) {
    await monitorStop(paths.attachSocket, Math.max(0, timeout));
    if (live.pid) waitGone(live.pid, (timeout + 10) * 1000);
  } else if (live.running) {
    addon().killPid(live.pid, parseSignal(rec.config.StopSignal));
    if (!waitGone(live.pid, timeout * 1000)) {
      addon().killPid(live.pid, 9);
      if (!waitGone(live.pid, 10_000)) throw new HuskError(`cannot stop container ${rec.name}: pid ${live.pid} survived SIGKILL`);
    }
  } else return;
  recordEvent(paths.roots, "stop", rec.id, { name: rec.name, image: rec.config.Image });
}

/** rm -f: SIGKILL now, and no restart. */
export async function killNow(rec: ContainerRecord, paths: ContainerPaths, live: LiveState): Promise<void> {
  if (live.monitored) {
    await monitorStop(paths.attachSocket, 0);
    // An --rm container's monitor runs `husk rm -f` itself, which waits for our lock:
    // do not wait for that monitor; it finds the container gone.
    if (!rec.hostConfig.AutoRemove) waitGone(live.monitorPid, 5000);
  }
  if (live.pid && isSameLiveProcess(live.pid, live.pidStartTime)) {
    addon().killPid(live.pid, 9);
    waitGone(live.pid, 10_000);
  }
  recordEvent(paths.roots, "kill", rec.id, { name: rec.name, signal: "9" });
}

/** `husk kill -s SIG`: to the container's init, as docker does. */
export function killContainer(rec: ContainerRecord, paths: ContainerPaths, signal: string): void {
  const live = currentState(rec, paths);
  if (!live.running && live.status !== "paused") throw new HuskError(`cannot kill container ${rec.name}: it is not running (${live.status})`);
  const n = parseSignal(signal);
  if (!addon().killPid(live.pid, n)) throw new HuskError(`cannot kill container ${rec.name}: pid ${live.pid} is gone: ESRCH`);
  recordEvent(paths.roots, "kill", rec.id, { name: rec.name, signal: String(n) });
}
