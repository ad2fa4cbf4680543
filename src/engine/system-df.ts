// `husk system df`: images (unique unpacked layers), containers (their writable layers),
// local volumes and build cache (husk builds nothing: always 0), with what a prune
// would give back.
import { ImageStore } from "../image/image-store.ts";
import { LayerStore } from "../image/layer-store.ts";
import { currentState } from "./container-state.ts";
import { dirSize } from "./disk-usage.ts";
import type { RecordStore } from "./record-store.ts";
import { readCatalog } from "../volume/catalog.ts";
import { volumeUsers } from "../volume/manager.ts";
import { engineVolumeContext, volumeDataDir } from "./volumes.ts";

export interface DfImage { id: string; names: string[]; size: number; containers: number }
export interface DfContainer { id: string; name: string; image: string; size: number; status: string; running: boolean }
export interface DfVolume { name: string; size: number; links: number }

export interface DiskUsage {
  images: DfImage[];
  /** Bytes of unique layers, and of those no container uses. */
  imagesSize: number;
  imagesReclaimable: number;
  containers: DfContainer[];
  volumes: DfVolume[];
}

/** Volumes in the catalog (any driver), with the local driver's size and their users. */
export function listVolumes(store: RecordStore): DfVolume[] {
  const ctx = engineVolumeContext(store.roots);
  const users = volumeUsers(ctx);
  return Object.values(readCatalog(store.roots.dataRoot)).map((v) => {
    const dir = volumeDataDir(store.roots, v.name);
    return { name: v.name, size: dir ? dirSize(dir) : 0, links: users.get(v.name)?.length ?? 0 };
  });
}

export function diskUsage(store: RecordStore): DiskUsage {
  const recs = store.list();
  const imageStore = new ImageStore(store.roots.dataRoot);
  const layers = new LayerStore(store.roots.dataRoot);
  const layerSize = new Map<string, number>();
  const sizeOf = (chain: string) => {
    if (!layerSize.has(chain)) layerSize.set(chain, layers.size(chain) ?? dirSize(layers.diffDir(chain)));
    return layerSize.get(chain)!;
  };
  let list: { record: { id: string; layers: { chainId: string }[] }; names: string[] }[] = [];
  try {
    list = imageStore.list();
  } catch {}
  const usedChains = new Set<string>();
  const images = list.map(({ record, names }) => {
    const containers = recs.filter((r) => r.image === record.id).length;
    if (containers) for (const l of record.layers) usedChains.add(l.chainId);
    return { id: record.id, names, size: record.layers.reduce((a, l) => a + sizeOf(l.chainId), 0), containers };
  });
  for (const { record } of list) for (const l of record.layers) sizeOf(l.chainId);
  let total = 0;
  let reclaim = 0;
  for (const [chain, size] of layerSize) {
    total += size;
    if (!usedChains.has(chain)) reclaim += size;
  }
  const containers = recs.map((rec) => {
    const live = currentState(rec, store.paths(rec.id));
    return { id: rec.id, name: rec.name, image: rec.config.Image, size: dirSize(rec.snapshot.upperDir), status: live.status, running: live.running || live.status === "paused" || live.status === "restarting" };
  });
  return { images, imagesSize: total, imagesReclaimable: reclaim, containers, volumes: listVolumes(store) };
}
