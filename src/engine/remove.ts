// `husk rm`: everything a container owns goes: its processes (with -f), cgroups,
// snapshot, network namespace, anonymous volumes (with -v), record and live dir. Each
// step tolerates what an earlier, interrupted rm already removed.
import { removeCgroups } from "../oci/ops/cgroup-cleanup.ts";
import { HuskError } from "../runtime/errors.ts";
import { removeSnapshot } from "../storage/snapshot.ts";
import { currentState } from "./container-state.ts";
import { recordEvent } from "./events.ts";
import { deleteNetns } from "./container-netns.ts";
import type { ContainerRecord } from "./record.ts";
import { type RecordStore, withContainerLock } from "./record-store.ts";
import { killNow } from "./stop.ts";
import { removeLocalVolume } from "./volumes.ts";

export interface RemoveOptions {
  force: boolean;
  volumes: boolean;
}

export async function removeContainer(store: RecordStore, rec: ContainerRecord, opts: RemoveOptions): Promise<void> {
  const paths = store.paths(rec.id);
  await withContainerLock(paths, async () => {
    const live = currentState(rec, paths);
    if (live.running || live.status === "paused" || live.status === "restarting") {
      if (!opts.force)
        throw new HuskError(`cannot remove container ${rec.name}: it is ${live.status}`, `stop it first ('husk stop ${rec.name}') or use 'husk rm -f'`);
      await killNow(rec, paths, live);
    }
    if (rec.cgroup) {
      const failed = removeCgroups(rec.cgroup);
      if (failed.length) throw new HuskError(`cannot remove container ${rec.name}: its cgroups are busy: ${failed.join(", ")}`, "processes still run in them");
    }
    if (rec.snapshot.mergedDir) removeSnapshot(rec.snapshot);
    deleteNetns(paths.netns);
    if (opts.volumes) for (const v of rec.anonymousVolumes ?? []) removeLocalVolume(store.roots, v);
    store.remove(rec.id);
  });
  recordEvent(store.roots, "destroy", rec.id, { name: rec.name, image: rec.config.Image });
}
