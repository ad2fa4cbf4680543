/**
 * OCI mount `options` -> what mount(2) and mount_setattr(2) need, read the way runc and
 * crun read them:
 *
 * - flag options (ro, nosuid, strictatime, ...) set or clear MS_* bits; a later option wins
 *   over an earlier one (["ro", "rw"] is read-write);
 * - propagation options (private, rshared, ...) are kept apart, in order, because each is
 *   its own mount(2) call after the mount exists;
 * - recursive options (rro, rnosuid, ...) become MOUNT_ATTR_* bits applied with
 *   mount_setattr(AT_RECURSIVE) to the whole tree;
 * - bind/rbind and idmap/ridmap select the kind of mount;
 * - anything else (size=64m, mode=755, newinstance, lowerdir=...) is filesystem data,
 *   joined with "," in the given order.
 *
 * The constants are the kernel's (linux/mount.h, sys/mount.h).
 */

export const MS_RDONLY = 1;
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MS_NOEXEC = 8;
export const MS_SYNCHRONOUS = 16;
export const MS_REMOUNT = 32;
export const MS_MANDLOCK = 64;
export const MS_DIRSYNC = 128;
export const MS_NOSYMFOLLOW = 256;
export const MS_NOATIME = 1024;
export const MS_NODIRATIME = 2048;
export const MS_BIND = 4096;
export const MS_MOVE = 8192;
export const MS_REC = 16384;
export const MS_SILENT = 32768;
export const MS_POSIXACL = 1 << 16;
export const MS_UNBINDABLE = 1 << 17;
export const MS_PRIVATE = 1 << 18;
export const MS_SLAVE = 1 << 19;
export const MS_SHARED = 1 << 20;
export const MS_RELATIME = 1 << 21;
export const MS_I_VERSION = 1 << 23;
export const MS_STRICTATIME = 1 << 24;
export const MS_LAZYTIME = 1 << 25;

export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
/** Mask of the atime mode: changing the mode needs all of it in attr_clr. */
export const MOUNT_ATTR__ATIME = 0x70;
export const MOUNT_ATTR_RELATIME = 0x0;
export const MOUNT_ATTR_NOATIME = 0x10;
export const MOUNT_ATTR_STRICTATIME = 0x20;
export const MOUNT_ATTR_NODIRATIME = 0x80;
export const MOUNT_ATTR_IDMAP = 0x100000;
export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

export interface MountOptions {
  /** MS_* flags to pass to mount(2). */
  flags: number;
  /** MS_* flags the options asked to turn off (rw, suid, dev, ...), for remounts of binds. */
  clearFlags: number;
  /** Propagation changes in order, each MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, |MS_REC for r-forms. */
  propagation: number[];
  /** MOUNT_ATTR_* to set recursively (mount_setattr with AT_RECURSIVE). */
  attrSet: number;
  /** MOUNT_ATTR_* to clear recursively. */
  attrClr: number;
  /** Filesystem-specific options, joined with ",". */
  data: string;
  bind: boolean;
  recursiveBind: boolean;
  idmap: boolean;
  recursiveIdmap: boolean;
  /** crun/runc "tmpcopyup": copy the image's content at the destination into the new tmpfs. */
  tmpcopyup: boolean;
}

/** [set this MS_* flag?, the flag]. */
const FLAG_OPTIONS: Record<string, readonly [boolean, number]> = {
  defaults: [true, 0],
  ro: [true, MS_RDONLY],
  rw: [false, MS_RDONLY],
  nosuid: [true, MS_NOSUID],
  suid: [false, MS_NOSUID],
  nodev: [true, MS_NODEV],
  dev: [false, MS_NODEV],
  noexec: [true, MS_NOEXEC],
  exec: [false, MS_NOEXEC],
  sync: [true, MS_SYNCHRONOUS],
  async: [false, MS_SYNCHRONOUS],
  dirsync: [true, MS_DIRSYNC],
  remount: [true, MS_REMOUNT],
  mand: [true, MS_MANDLOCK],
  nomand: [false, MS_MANDLOCK],
  noatime: [true, MS_NOATIME],
  atime: [false, MS_NOATIME],
  nodiratime: [true, MS_NODIRATIME],
  diratime: [false, MS_NODIRATIME],
  relatime: [true, MS_RELATIME],
  norelatime: [false, MS_RELATIME],
  strictatime: [true, MS_STRICTATIME],
  nostrictatime: [false, MS_STRICTATIME],
  nosymfollow: [true, MS_NOSYMFOLLOW],
  symfollow: [false, MS_NOSYMFOLLOW],
  acl: [true, MS_POSIXACL],
  noacl: [false, MS_POSIXACL],
  iversion: [true, MS_I_VERSION],
  noiversion: [false, MS_I_VERSION],
  lazytime: [true, MS_LAZYTIME],
  nolazytime: [false, MS_LAZYTIME],
  silent: [true, MS_SILENT],
  loud: [false, MS_SILENT],
};

const PROPAGATION_OPTIONS: Record<string, number> = {
  private: MS_PRIVATE,
  rprivate: MS_PRIVATE | MS_REC,
  shared: MS_SHARED,
  rshared: MS_SHARED | MS_REC,
  slave: MS_SLAVE,
  rslave: MS_SLAVE | MS_REC,
  unbindable: MS_UNBINDABLE,
  runbindable: MS_UNBINDABLE | MS_REC,
};

/**
 * Recursive options: [set?, MOUNT_ATTR_* bit]. The atime options are handled apart because
 * the kernel takes the atime mode as one field (see ATIME_OPTIONS).
 */
const RECURSIVE_OPTIONS: Record<string, readonly [boolean, number]> = {
  rro: [true, MOUNT_ATTR_RDONLY],
  rrw: [false, MOUNT_ATTR_RDONLY],
  rnosuid: [true, MOUNT_ATTR_NOSUID],
  rsuid: [false, MOUNT_ATTR_NOSUID],
  rnodev: [true, MOUNT_ATTR_NODEV],
  rdev: [false, MOUNT_ATTR_NODEV],
  rnoexec: [true, MOUNT_ATTR_NOEXEC],
  rexec: [false, MOUNT_ATTR_NOEXEC],
  rnodiratime: [true, MOUNT_ATTR_NODIRATIME],
  rdiratime: [false, MOUNT_ATTR_NODIRATIME],
  rnosymfollow: [true, MOUNT_ATTR_NOSYMFOLLOW],
  rsymfollow: [false, MOUNT_ATTR_NOSYMFOLLOW],
};

/**
 * Recursive atime options -> the atime mode to set. mount_setattr changes the mode only
 * when all of MOUNT_ATTR__ATIME is in attr_clr, so each of these clears the whole mask and
 * sets one mode. Undoing a mode ("ratime", "rnorelatime", "rnostrictatime") returns to the
 * kernel's default, relatime, as mount(2) does when no atime flag is given.
 */
const ATIME_OPTIONS: Record<string, number> = {
  rnoatime: MOUNT_ATTR_NOATIME,
  ratime: MOUNT_ATTR_RELATIME,
  rstrictatime: MOUNT_ATTR_STRICTATIME,
  rnostrictatime: MOUNT_ATTR_RELATIME,
  rrelatime: MOUNT_ATTR_RELATIME,
  rnorelatime: MOUNT_ATTR_RELATIME,
};

/** Options that are not flags but select how the mount is made. */
const SPECIAL_OPTIONS = ["bind", "rbind", "idmap", "ridmap", "tmpcopyup"] as const;

/** Every option name this module interprets (the rest are filesystem data). Sorted. */
export const KNOWN_MOUNT_OPTIONS: readonly string[] = [
  ...Object.keys(FLAG_OPTIONS),
  ...Object.keys(PROPAGATION_OPTIONS),
  ...Object.keys(RECURSIVE_OPTIONS),
  ...Object.keys(ATIME_OPTIONS),
  ...SPECIAL_OPTIONS,
].sort();

/** Parse an OCI mount options array. Never throws: unknown options are filesystem data. */
export function parseMountOptions(options: readonly string[] | undefined): MountOptions {
  const out: MountOptions = {
    flags: 0,
    clearFlags: 0,
    propagation: [],
    attrSet: 0,
    attrClr: 0,
    data: "",
    bind: false,
    recursiveBind: false,
    idmap: false,
    recursiveIdmap: false,
    tmpcopyup: false,
  };
  const data: string[] = [];
  for (const option of options ?? []) {
    const flag = FLAG_OPTIONS[option];
    if (flag !== undefined) {
      const [set, bit] = flag;
      if (set) {
        out.flags |= bit;
        out.clearFlags &= ~bit;
      } else {
        out.flags &= ~bit;
        out.clearFlags |= bit;
      }
      continue;
    }
    const propagation = PROPAGATION_OPTIONS[option];
    if (propagation !== undefined) {
      out.propagation.push(propagation);
      continue;
    }
    const recursive = RECURSIVE_OPTIONS[option];
    if (recursive !== undefined) {
      const [set, bit] = recursive;
      if (set) {
        out.attrSet |= bit;
        out.attrClr &= ~bit;
      } else {
        out.attrSet &= ~bit;
        out.attrClr |= bit;
      }
      continue;
    }
    const atime = ATIME_OPTIONS[option];
    if (atime !== undefined) {
      out.attrSet = (out.attrSet & ~MOUNT_ATTR__ATIME) | atime;
      out.attrClr |= MOUNT_ATTR__ATIME;
      continue;
    }
    switch (option) {
      case "bind":
        out.bind = true;
        break;
      case "rbind":
        out.bind = true;
        out.recursiveBind = true;
        break;
      case "idmap":
        out.idmap = true;
        break;
      case "ridmap":
        out.idmap = true;
        out.recursiveIdmap = true;
        break;
      case "tmpcopyup":
        out.tmpcopyup = true;
        break;
      default:
        data.push(option);
    }
  }
  if (out.bind) out.flags |= MS_BIND | (out.recursiveBind ? MS_REC : 0);
  // Bits are small enough that >>> 0 keeps them unsigned (MS_* fit in 26 bits).
  out.flags >>>= 0;
  out.clearFlags >>>= 0;
  out.data = data.join(",");
  return out;
}

/**
 * MS_* propagation flags for a linux.rootfsPropagation value (or a propagation mount
 * option), e.g. "rslave" -> MS_SLAVE|MS_REC. Undefined for an unknown name.
 */
export function parsePropagation(name: string): number | undefined {
  return Object.hasOwn(PROPAGATION_OPTIONS, name) ? PROPAGATION_OPTIONS[name] : undefined;
}
