// `husk system restore`: after a boot (or when <root> vanished), bring the engine back
// from what survives in <data-root>: mount every container's snapshot again, and start
// the containers whose restart policy says so (always; unless-stopped when the user did
// not stop them) through the normal start path, which also makes their network
// namespaces and cgroups again. Containers still running are left alone, so running it
// twice changes nothing.
import { mountSnapshot } from "../storage/snapshot.ts";
import { currentState } from "./container-state.ts";
import type { ContainerRecord } from "./record.ts";
import type { RecordStore } from "./record-store.ts";
import { startEngineContainer } from "./start.ts";
import { isUserStopped } from "./user-stopped.ts";

export type RestoreAction = "running" | "started" | "mounted";

export interface RestoreResult {
  rec: ContainerRecord;
  action?: RestoreAction;
  error?: unknown;
}

/** Pure: whether a container that is not running comes back at boot. */
export function startsAtBoot(policy: string, stoppedByUser: boolean): boolean {
  return policy === "always" || (policy === "unless-stopped" && !stoppedByUser);
}

export async function restoreEngine(store: RecordStore, huskPath?: string): Promise<RestoreResult[]> {
  const out: RestoreResult[] = [];
  // Oldest first, so that a container joining another's network finds it started.
  for (const rec of [...store.list()].reverse()) {
    const paths = store.paths(rec.id);
    try {
      const live = currentState(rec, paths);
      if (live.running || live.status === "paused" || live.status === "restarting") {
        out.push({ rec, action: "running" });
        continue;
      }
      mountSnapshot(rec.snapshot);
      if (!startsAtBoot(rec.hostConfig.RestartPolicy.Name, isUserStopped(paths))) {
        out.push({ rec, action: "mounted" });
        continue;
      }
      await startEngineContainer(store, rec, { waitForAttach: false, ...(huskPath ? { huskPath } : {}) });
      out.push({ rec, action: "started" });
    } catch (error) {
      out.push({ rec, error });
    }
  }
  return out;
}
