// The engine's use of the netns helpers: the container's namespace at <root>/netns/<id>,
// made on first start (its directory too) and removed at rm; both idempotent.
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { addNetns, removeNetns } from "./netns.ts";

/** True when this call made the namespace (a new one, or again after a reboot). */
export function ensureNetns(path: string): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true, mode: 0o711 });
  addNetns(path);
  return true;
}

export function deleteNetns(path: string): void {
  if (existsSync(path)) removeNetns(path);
}
