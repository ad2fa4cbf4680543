// The kernel seam of the layer unpacker: every filesystem call extract.ts makes goes
// through this interface, so unit tests can record calls (device nodes, ownership, xattrs)
// without root. None of these operations may follow a symlink at the final component,
// except chmod, which extract.ts only calls on paths it has just created as non-symlinks.
//
// The calls are synchronous on purpose: a layer has thousands of small files, and a
// thread-pool round trip per call costs more than the syscall itself (measured: 3000
// files of 8 KiB, 63 ms with sync calls, 225 ms with fs/promises). Creating calls fail
// with EEXIST when something is already at the path; the unpacker then clears it and
// retries, so a fresh layer directory needs no lstat before each create.

import { closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, chmodSync, rmSync, symlinkSync, writeSync } from "node:fs";

export type NodeKind = "file" | "dir" | "symlink" | "other";

/** A regular file being written; `finish` or `abort` closes it. */
export interface FileSink {
  write(data: Uint8Array): void;
  /** Sets ownership (when asked at create), mode and mtime through the fd, then closes. */
  finish(mtime: number): void;
  abort(): void;
}

export interface FsOps {
  /** lstat: what is at `path`, or null when nothing is. Never follows a symlink. */
  lstat(path: string): NodeKind | null;
  /** mkdir(2); throws EEXIST when something is at `path`. */
  mkdir(path: string, mode: number): void;
  /**
   * Creates a new regular file (O_CREAT|O_EXCL|O_NOFOLLOW: throws EEXIST when something
   * is at `path`). The mode is applied at finish, after chown when `owner` is given
   * (chown clears setuid bits). `plainParent` promises that the parent directory is not
   * setgid, so a file created by root is already owned 0:0 and needs no chown for that.
   */
  createFile(path: string, mode: number, owner?: { uid: number; gid: number }, plainParent?: boolean): FileSink;
  symlink(target: string, path: string): void;
  /** link(2) without AT_SYMLINK_FOLLOW. */
  link(existing: string, path: string): void;
  mknod(path: string, kind: "char" | "block", mode: number, major: number, minor: number): void;
  mkfifo(path: string, mode: number): void;
  /** Removes whatever is at `path` (recursively for a directory), not following symlinks. */
  remove(path: string): void;
  lchown(path: string, uid: number, gid: number): void;
  chmod(path: string, mode: number): void;
  /** Sets atime and mtime (seconds) without following a symlink. */
  lutimes(path: string, atime: number, mtime: number): void;
  lsetxattr(path: string, name: string, value: Uint8Array): void;
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function addonLazy() {
  // Loaded on first use: most layers need neither device nodes nor xattrs.
  return (require("../../native/addon.ts") as typeof import("../../native/addon.ts")).addon();
}

/** The process umask, read once (set back at once; nothing else runs in between). */
let umaskCache: number | undefined;
function umask(): number {
  if (umaskCache === undefined) {
    umaskCache = process.umask(0o022);
    process.umask(umaskCache);
  }
  return umaskCache;
}

let euidCache: number | undefined;
function euid(): number {
  return (euidCache ??= process.geteuid?.() ?? -1);
}

/** What Node/Bun offer, plus mknod and lsetxattr from the C addon. */
export function defaultFsOps(): FsOps {
  return {
    lstat(path) {
      try {
        const st = lstatSync(path);
        if (st.isSymbolicLink()) return "symlink";
        if (st.isDirectory()) return "dir";
        if (st.isFile()) return "file";
        return "other";
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
    mkdir(path, mode) {
      mkdirSync(path, { mode });
    },
    createFile(path, mode, owner, plainParent) {
      const perm = mode & 0o777;
      const fd = openSync(path, CREATE, perm);
      const chown = owner !== undefined && (owner.uid !== 0 || owner.gid !== 0 || !plainParent || euid() !== 0);
      // The create mode already holds the bits unless the umask took some, or the file
      // has setuid/setgid/sticky bits (open ignores those), or chown cleared them.
      const chmod = chown || (mode & 0o7000) !== 0 || (perm & umask()) !== 0;
      let open = true;
      return {
        write(data) {
          let off = 0;
          while (off < data.length) off += writeSync(fd, data, off, data.length - off);
        },
        finish(mtime) {
          try {
            if (chown) fchownSync(fd, owner!.uid, owner!.gid);
            if (chmod) fchmodSync(fd, mode);
            futimesSync(fd, mtime, mtime);
          } finally {
            open = false;
            closeSync(fd);
          }
        },
        abort() {
          if (open) closeSync(fd);
          open = false;
        },
      };
    },
    symlink(target, path) {
      symlinkSync(target, path);
    },
    link(existing, path) {
      linkSync(existing, path);
    },
    mknod(path, kind, mode, major, minor) {
      addonLazy().mknod(path, kind, mode, major, minor);
    },
    mkfifo(path, mode) {
      addonLazy().mkfifo(path, mode);
      chmodSync(path, mode); // mkfifo is subject to the umask
    },
    remove(path) {
      rmSync(path, { recursive: true, force: true });
    },
    lchown(path, uid, gid) {
      lchownSync(path, uid, gid);
    },
    chmod(path, mode) {
      chmodSync(path, mode);
    },
    lutimes(path, atime, mtime) {
      lutimesSync(path, atime, mtime);
    },
    lsetxattr(path, name, value) {
      addonLazy().lsetxattr(path, name, value);
    },
  };
}
