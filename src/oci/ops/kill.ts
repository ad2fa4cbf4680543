// `kill`: signal init, or with --all every process in the container's cgroup.
import { addon } from "../../native/addon.ts";
import { HuskError } from "../../runtime/errors.ts";
import type { StateStore } from "../../state/store.ts";
import { killCgroup } from "./cgroup-cleanup.ts";
import { containerStatus } from "./status.ts";

export async function killContainer(store: StateStore, id: string, signal: number, all: boolean): Promise<void> {
  const state = store.read(id);
  const status = containerStatus(store, state);
  if (status === "stopped") throw new HuskError(`cannot kill container "${id}": it is not running (stopped)`);
  if (all) {
    killCgroup(state.cgroup, signal);
    return;
  }
  if (!addon().killPid(state.pid, signal)) throw new HuskError(`cannot kill container "${id}": pid ${state.pid} is gone: ESRCH`);
}
