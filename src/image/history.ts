// An image's history as `docker history` shows it: one row per entry of the config's
// `history`, newest first. Entries marked empty_layer made no layer (size 0); the others
// take the image's layers in order. Only the newest row can name an image id: the older
// ones were never images of their own here (docker prints "<missing>").
import type { ImageRecord } from "./image-store.ts";

export interface HistoryRow {
  id: string;
  created?: string;
  createdBy: string;
  /** Layer bytes (uncompressed where known), 0 for an empty layer. */
  size: number;
  comment: string;
  emptyLayer: boolean;
}

interface ConfigHistory {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** `layerSize(i)` is the size of the image's i-th layer (bottom first). */
export function imageHistory(record: ImageRecord, config: { history?: ConfigHistory[] }, layerSize: (i: number) => number): HistoryRow[] {
  const entries: ConfigHistory[] = config.history?.length ? config.history : record.layers.map(() => ({ created: record.created }));
  let layer = 0;
  const rows = entries.map((h): HistoryRow => {
    // More non-empty entries than layers happens in hand-made configs: no size then.
    const hasLayer = !h.empty_layer && layer < record.layers.length;
    const size = hasLayer ? layerSize(layer++) : 0;
    return { id: "<missing>", ...(h.created ? { created: h.created } : {}), createdBy: h.created_by ?? "", size, comment: h.comment ?? "", emptyLayer: !hasLayer };
  });
  rows.reverse();
  if (rows[0]) rows[0].id = record.id;
  return rows;
}

/** "3 hours", "About a minute", ... as docker words an age. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return "Less than a second";
  if (s === 1) return "1 second";
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return "About a minute";
  if (m < 60) return `${m} minutes`;
  const h = Math.round(ms / 3_600_000);
  if (h === 1) return "About an hour";
  if (h < 48) return `${h} hours`;
  if (h < 24 * 14) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 60) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 730) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** Shortens to `max` characters with an ellipsis, as docker's table does. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}
