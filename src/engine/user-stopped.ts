// "Stopped by the user" survives a reboot (docker's HasBeenManuallyStopped): a marker in
// the container's data dir, set by `stop` and `kill`, cleared by `start`. `system
// restore` brings back unless-stopped containers only without it.
import { rmSync, writeFileSync } from "node:fs";
import { existsSync } from "node:fs";
import type { ContainerPaths } from "./paths.ts";

const marker = (paths: ContainerPaths) => `${paths.dataDir}/stopped-by-user`;

export function markUserStopped(paths: ContainerPaths): void {
  try {
    writeFileSync(marker(paths), "");
  } catch {}
}

export function clearUserStopped(paths: ContainerPaths): void {
  rmSync(marker(paths), { force: true });
}

export const isUserStopped = (paths: ContainerPaths) => existsSync(marker(paths));
