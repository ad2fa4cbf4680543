// husk's own list of volumes, <data-root>/volume-db/catalog.msgpack: which driver holds
// each volume, its labels, whether it is anonymous, and which mount ids (container ids)
// have it mounted now. Drivers keep their own state; this is what lets husk find the
// driver of a volume by name and refuse to remove one that is in use.
import { join } from "node:path";
import { readFile, withLockedFile } from "../network/network-state.ts";

export interface VolumeRecord {
  name: string;
  driver: string;
  created: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Made for one container by `-v /path` (docker's anonymous volumes; prune removes them). */
  anonymous: boolean;
  /** mount id -> when it was mounted */
  mounts: Record<string, string>;
}

interface Catalog {
  volumes: Record<string, VolumeRecord>;
}

const empty = (): Catalog => ({ volumes: {} });

export const catalogDir = (dataRoot: string) => join(dataRoot, "volume-db");

export function readCatalog(dataRoot: string): Record<string, VolumeRecord> {
  return readFile(catalogDir(dataRoot), "catalog", empty).volumes;
}

/** fn runs on the catalog under its lock; changes are written back. fn must be synchronous. */
export function withCatalog<T>(dataRoot: string, fn: (volumes: Record<string, VolumeRecord>) => T): T {
  return withLockedFile(catalogDir(dataRoot), "catalog", empty, (c) => fn(c.volumes));
}
