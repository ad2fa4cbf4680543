// `container prune` and the container part of `system prune`: every container that is
// not running (created, exited, dead) and matches the filters goes, through the normal
// rm path; the reclaimed bytes are those of its writable layer.
import { HuskError } from "../runtime/errors.ts";
import { currentState } from "./container-state.ts";
import { dirSize } from "./disk-usage.ts";
import type { ContainerRecord } from "./record.ts";
import type { RecordStore } from "./record-store.ts";
import { removeContainer } from "./remove.ts";
import { parseTimeFlag } from "./time-flags.ts";

export interface PruneFilter {
  /** Only containers created before this time (ms). */
  untilMs?: number;
  /** label=K or label=K=V (all must match); label!=... must not. */
  labels: { key: string; value?: string; negate: boolean }[];
}

export function parsePruneFilters(items: string[], now = Date.now()): PruneFilter {
  const f: PruneFilter = { labels: [] };
  for (const item of items) {
    const m = /^(until|label!?)=(.*)$/.exec(item);
    if (!m) throw new HuskError(`invalid filter "${item}"`, "use until=TIME|DURATION, label=KEY[=VALUE] or label!=KEY[=VALUE]");
    if (m[1] === "until") f.untilMs = parseTimeFlag("--filter until", m[2]!, now);
    else {
      const eq = m[2]!.indexOf("=");
      f.labels.push({ key: eq < 0 ? m[2]! : m[2]!.slice(0, eq), value: eq < 0 ? undefined : m[2]!.slice(eq + 1), negate: m[1] === "label!" });
    }
  }
  return f;
}

export function pruneMatches(rec: ContainerRecord, f: PruneFilter): boolean {
  if (f.untilMs !== undefined && Date.parse(rec.created) >= f.untilMs) return false;
  return f.labels.every(({ key, value, negate }) => {
    const has = key in rec.config.Labels && (value === undefined || rec.config.Labels[key] === value);
    return negate ? !has : has;
  });
}

export async function pruneContainers(store: RecordStore, f: PruneFilter): Promise<{ deleted: string[]; reclaimed: number }> {
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const rec of store.list()) {
    const live = currentState(rec, store.paths(rec.id));
    if (live.running || live.status === "paused" || live.status === "restarting" || live.monitored) continue;
    if (!pruneMatches(rec, f)) continue;
    const size = dirSize(rec.snapshot.upperDir);
    await removeContainer(store, rec, { force: false, volumes: false });
    deleted.push(rec.id);
    reclaimed += size;
  }
  return { deleted, reclaimed };
}
