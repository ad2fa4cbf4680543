// `husk rm`: everything a container owns goes: its processes (with -f), cgroups,
// snapshot, network namespace, anonymous volumes (with -v), record and live dir. Each
// step tolerates what an earlier, interrupted rm already removed.
import { removeCgroups } from "../oci/ops/cgroup-cleanup.ts";
import { HuskError } from "../runtime/errors.ts";
import { removeSnapshot } from "../storage/snapshot.ts";
import { trace } from "../util/trace.ts";
import { currentState } from "./container-state.ts";
import { recordEvent } from "./events.ts";
import { deleteNetns } from "./container-netns.ts";
import { detachContainerNetworks } from "./network-attach.ts";
import type { ContainerRecord } from "./record.ts";
import { type RecordStore, withContainerLock } from "./record-store.ts";
import { killNow } from "./stop.ts";
import { releaseVolumes, volumeNamesOf } from "../volume/resolve.ts";
import { engineVolumeContext } from "./volumes.ts";
import { releaseUserns } from "./userns.ts";

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
    trace("engine rm: locked");
    if (rec.cgroup) {
      const failed = removeCgroups(rec.cgroup);
      if (failed.length) throw new HuskError(`cannot remove container ${rec.name}: its cgroups are busy: ${failed.join(", ")}`, "processes still run in them");
    }
    trace("engine rm: cgroups removed");
    if (rec.snapshot.mergedDir) removeSnapshot(rec.snapshot);
    await detachContainerNetworks(store, rec, { netnsGoing: true });
    trace("engine rm: snapshot removed");
    deleteNetns(paths.netns);
    trace("engine rm: netns removed");
    releaseUserns(store.roots.dataRoot, rec);
    store.remove(rec.id);
    trace("engine rm: dirs removed");
    // After the record: it no longer counts as a user of its anonymous volumes.
    await releaseVolumes(engineVolumeContext(store.roots), rec.id, volumeNamesOf(rec.hostConfig.Mounts), { removeAnonymous: opts.volumes });
  });
  recordEvent(store.roots, "destroy", rec.id, { name: rec.name, image: rec.config.Image });
}
