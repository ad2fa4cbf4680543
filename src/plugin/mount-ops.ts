// host.mounts: the mount syscalls a plugin may use (volume drivers mount tmpfs, devices and
// binds), made by the addon in this process: no mount(8) subprocess, no fork.
import { readMounts } from "../storage/mountinfo.ts";
import { addon } from "../native/addon.ts";
import type { MountFlag, MountOps } from "./api.ts";

// <linux/mount.h>
const MOUNT_ATTR: Record<MountFlag, number> = {
  ro: 0x1, nosuid: 0x2, nodev: 0x4, noexec: 0x8, relatime: 0, noatime: 0x10, strictatime: 0x20, nodiratime: 0x80,
};
const MS_RDONLY = 0x1;
const MS_REMOUNT = 0x20;
const MS_BIND = 0x1000;
const MS_REC = 0x4000;
const UMOUNT_NOFOLLOW = 0x8;
const MNT_DETACH = 0x2;

export function mountAttrFlags(flags: MountFlag[]): number {
  let n = 0;
  for (const f of flags) {
    const bit = MOUNT_ATTR[f];
    if (bit === undefined) throw Object.assign(new Error(`unknown mount flag "${f}"`), { code: "EINVAL" });
    n |= bit;
  }
  return n;
}

export function pluginMountOps(): MountOps {
  return {
    mountFs: (fstype, options, target, flags = []) => addon().fsmount(fstype, options, target, mountAttrFlags(flags)),
    bind(source, target, opts = {}) {
      const flags = MS_BIND | (opts.recursive ? MS_REC : 0);
      addon().mount(source, target, "", flags, null);
      if (!opts.readOnly) return;
      try {
        // A bind takes the read-only flag only on a remount of the new mount.
        addon().mount("", target, "", MS_REMOUNT | MS_BIND | MS_RDONLY, null);
      } catch (e) {
        addon().umount2(target, UMOUNT_NOFOLLOW | MNT_DETACH);
        throw e;
      }
    },
    unmount: (target, opts = {}) => addon().umount2(target, UMOUNT_NOFOLLOW | (opts.lazy ? MNT_DETACH : 0)),
    isMountPoint: (path) => readMounts().some((m) => m.mountPoint === path),
  };
}
