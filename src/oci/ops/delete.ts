// `delete`: stop what is left, remove cgroups, run poststop hooks, drop the state.
import { existsSync } from "node:fs";
import { addon } from "../../native/addon.ts";
import { HuskError } from "../../runtime/errors.ts";
import type { ContainerState } from "../../state/container-state.ts";
import type { StateStore } from "../../state/store.ts";
import { killCgroup, removeCgroups } from "./cgroup-cleanup.ts";
import { runHooks } from "./start.ts";
import { setFrozen } from "./cgroup-control.ts";
import { containerStatus, freezerFile } from "./status.ts";

/** A process held to 1 % of a CPU by its quota also dies at that pace (seconds under
 * emulation): lift the quota before the kill. Best effort: the wait says if it did not help. */
function liftCpuQuota(state: ContainerState): void {
  const writes: [string, string][] = [];
  for (const dir of state.cgroup.dirs) if (existsSync(`${dir}/cpu.cfs_quota_us`)) writes.push([`${dir}/cpu.cfs_quota_us`, "-1"]);
  const v2 = state.cgroup.v2Dir;
  if (v2 && existsSync(`${v2}/cpu.max`)) writes.push([`${v2}/cpu.max`, "max"]);
  for (const w of writes) {
    try {
      addon().writeCgroupFiles([w]);
    } catch {}
  }
}

/** Kill init (and with a pid namespace, everything dies with it) and wait for the end. */
export function killAndWait(state: ContainerState): void {
  // A frozen container cannot die: thaw it first (best effort; the kill says if it failed).
  if (freezerFile(state)) {
    try {
      setFrozen(state, false);
    } catch {}
  }
  liftCpuQuota(state);
  addon().killPid(state.pid, 9);
  if (!addon().waitPidExit(state.pid, 10_000)) throw new HuskError(`container "${state.id}": pid ${state.pid} did not exit after SIGKILL`);
  // Without a private pid namespace, other processes may remain in the cgroup.
  for (let i = 0; i < 5 && killCgroup(state.cgroup, 9).length; i++) Bun.sleepSync(5);
}

export async function deleteContainer(store: StateStore, id: string, force: boolean, warn: (m: string) => void): Promise<void> {
  if (!store.exists(id)) {
    if (force) {
      store.remove(id);
      return;
    }
    throw new HuskError(`container "${id}" does not exist`);
  }
  const state = await store.withLock(id, async () => {
    const state = store.read(id);
    const status = containerStatus(store, state);
    if ((status === "running" || status === "paused") && !force)
      throw new HuskError(`cannot delete container "${id}": it is ${status}`, `stop it first ('kill ${id} KILL') or use --force`);
    if (status !== "stopped") killAndWait(state);
    const failed = removeCgroups(state.cgroup);
    if (failed.length) throw new HuskError(`container "${id}": could not remove cgroups: ${failed.join(", ")}`, "processes may still be running in them");
    return state;
  });
  try {
    await runHooks(state, "poststop", "stopped");
  } catch (e) {
    warn(`poststop hook failed: ${(e as Error).message}`);
  }
  store.remove(id);
}
