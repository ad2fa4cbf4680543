// Local named volumes: a plain directory <data-root>/volumes/NAME/_data, made on first use.
// The volume plugin work (#6) moves this behind the plugin API; the engine only calls
// these two functions.
import { mkdirSync, rmSync } from "node:fs";
import { type EngineRoots, volumesDir } from "./paths.ts";

export function volumeDataDir(roots: EngineRoots, name: string): string {
  return `${volumesDir(roots)}/${name}/_data`;
}

/** The volume's directory, created when it is new. */
export function ensureLocalVolume(roots: EngineRoots, name: string): string {
  const dir = volumeDataDir(roots, name);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

export function removeLocalVolume(roots: EngineRoots, name: string): void {
  rmSync(`${volumesDir(roots)}/${name}`, { recursive: true, force: true });
}
