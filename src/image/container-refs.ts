// Which containers name which image: reads the engine's container records
// (<data-root>/containers/<id>/record.msgpack, see docs/engine-design.md) and keeps only
// what image commands need. A record that cannot be read still counts as a user of an
// unknown image, so that a damaged record never lets an image in use be deleted silently:
// the caller sees it in `unreadable`.
import { readdirSync, readFileSync } from "node:fs";
import { Packr } from "msgpackr/pack";

export interface ContainerRef {
  id: string;
  name: string;
  /** The image id, "sha256:<hex>". */
  image: string;
  /** Names of the volumes its mounts use (hostConfig.Mounts of type volume). */
  volumes?: string[];
}

export interface ContainerRefs {
  containers: ContainerRef[];
  /** Record files that exist but could not be decoded (path: reason). */
  unreadable: string[];
}

const packr = new Packr({ useRecords: false, moreTypes: false });

export function readContainerRefs(dataRoot: string): ContainerRefs {
  const dir = `${dataRoot}/containers`;
  let ids: string[];
  try {
    ids = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { containers: [], unreadable: [] };
    throw e;
  }
  const containers: ContainerRef[] = [];
  const unreadable: string[] = [];
  for (const id of ids.sort()) {
    const file = `${dir}/${id}/record.msgpack`;
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      // A directory without a record is a container being created or removed.
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") continue;
      unreadable.push(`${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      continue;
    }
    try {
      const rec = packr.unpack(bytes) as { id?: unknown; name?: unknown; image?: unknown; hostConfig?: { Mounts?: unknown } };
      if (typeof rec?.image !== "string") throw new Error("no image field");
      containers.push({ id: typeof rec.id === "string" ? rec.id : id, name: typeof rec.name === "string" ? rec.name : "", image: rec.image, ...withVolumes(volumeNames(rec.hostConfig?.Mounts)) });
    } catch (e) {
      unreadable.push(`${file}: ${(e as Error).message}`);
    }
  }
  return { containers, unreadable };
}

const withVolumes = (v: string[]) => (v.length ? { volumes: v } : {});

function volumeNames(mounts: unknown): string[] {
  if (!Array.isArray(mounts)) return [];
  return mounts.filter((m) => m?.Type === "volume" && typeof m.Source === "string" && m.Source).map((m) => m.Source as string);
}

/** Containers by image id. */
export function containersByImage(refs: ContainerRefs): Map<string, ContainerRef[]> {
  const out = new Map<string, ContainerRef[]>();
  for (const c of refs.containers) out.set(c.image, [...(out.get(c.image) ?? []), c]);
  return out;
}
