// The kernel seam of src/storage: every mount, unmount and directory fd goes through
// this interface, so the method choice and fallbacks are unit-tested with a fake.

import { closeSync, constants, openSync } from "node:fs";
import { release } from "node:os";
import { addon } from "../native/addon.ts";

export const MNT_DETACH = 2;
export const UMOUNT_NOFOLLOW = 8;

export interface MountSys {
  /** fsopen(fstype) + fsconfig per entry + fsmount + move_mount onto target. */
  fsmount(fstype: string, config: [string, string | null][], target: string): void;
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  /** true if something was unmounted, false if target was not a mount point. */
  umount2(target: string, flags: number): boolean;
  /** An fd on a directory, held across a mount so /proc/self/fd/N names it. */
  openDir(path: string): number;
  closeFd(fd: number): void;
  /** uname release, for features that only a kernel version tells (lowerdir+, volatile). */
  kernelRelease(): string;
  /** Overlay over idmapped lowers (husk-core idmap-overlay); absent: the real one. */
  idmapOverlay?(spec: import("./overlay-options.ts").OverlaySpec, idmap: import("./idmap-overlay.ts").SnapshotIdmap, target: string): void;
}

export function realMountSys(): MountSys {
  return {
    fsmount: (fstype, config, target) => addon().fsmount(fstype, config, target, 0),
    mount: (source, target, fstype, flags, data) => addon().mount(source, target, fstype, flags, data),
    umount2: (target, flags) => addon().umount2(target, flags),
    openDir: (path) => openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW),
    closeFd: (fd) => closeSync(fd),
    kernelRelease: () => release(),
  };
}
