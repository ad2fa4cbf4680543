// The engine's side of volumes: one volume context per engine command, and the host path
// `inspect` shows for a volume. The work is src/volume's (attachVolumes/releaseVolumes),
// through the volume's driver plugin.
import { readCatalog } from "../volume/catalog.ts";
import { type VolumeContext, volumeContext } from "../volume/manager.ts";
import type { EngineRoots } from "./paths.ts";

export function engineVolumeContext(roots: EngineRoots): VolumeContext {
  return volumeContext(roots.root, roots.dataRoot);
}

/** Where a volume is on the host, for inspect: the path its driver gave when it was mounted
 * for this container is in config.json; this is the local driver's path, or "" for others. */
export function volumeDataDir(roots: EngineRoots, name: string): string {
  const rec = readCatalog(roots.dataRoot)[name];
  return !rec || rec.driver === "local" ? `${roots.dataRoot}/volumes/${name}/_data` : "";
}
