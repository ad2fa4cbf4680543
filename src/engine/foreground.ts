// The foreground half of `run` and `start -a`: attach to the monitor, release the
// container, stream its output, forward signals, and come back with its exit code. With
// --rm the CLI removes the container itself after acking the exit (frame 5), so no
// second husk process runs on the fast path.
import { HuskError } from "../runtime/errors.ts";
import { trace } from "../util/trace.ts";
import { currentState } from "./container-state.ts";
import { attach, type ExitInfo } from "./monitor-client.ts";
import type { ContainerRecord } from "./record.ts";
import type { RecordStore } from "./record-store.ts";
import { removeContainer } from "./remove.ts";

export interface ForegroundIo {
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** docker: a signal death is 128+signal. */
export const exitCodeOf = (exit: ExitInfo) => (exit.signal ? 128 + exit.signal : exit.exitCode);

export async function runForeground(store: RecordStore, rec: ContainerRecord, pid: number, io: ForegroundIo, start: boolean): Promise<number> {
  const paths = store.paths(rec.id);
  trace("engine run: attaching");
  let exit: ExitInfo;
  try {
    exit = await attach(paths.attachSocket, {
      stdin: rec.config.OpenStdin ? io.stdin : undefined,
      stdout: io.stdout,
      stderr: io.stderr,
      tty: rec.config.Tty,
      start,
      ackCleanup: rec.hostConfig.AutoRemove,
      forwardSignalsTo: pid,
    });
  } catch (e) {
    // The monitor went away under us (killed): report what the status file says.
    const live = currentState(rec, paths);
    if (live.status !== "exited") throw e;
    exit = { exitCode: live.exitCode, signal: live.signal, oomKilled: live.oomKilled };
  }
  trace("engine run: exit frame");
  const live = currentState(rec, paths);
  trace("engine run: state read");
  // die and oom are in the event log already: the monitor wrote them before the exit frame.
  // Re-read: start recorded the cgroups in the record after `rec` was loaded.
  if (rec.hostConfig.AutoRemove) await removeContainer(store, store.read(rec.id), { force: true, volumes: true });
  trace("engine run: removed");
  // A command that could not be exec'd: the monitor recorded why; say it in one line.
  if (live.error && (exit.exitCode === 126 || exit.exitCode === 127) && !exit.signal) throw new HuskError(live.error, exit.exitCode === 127 ? "check the command's path in the image" : "check that it is executable", exit.exitCode);
  return exitCodeOf(exit);
}
