// The kernel seam of the layer unpacker: every filesystem call extract.ts makes goes
// through this interface, so unit tests can record calls (device nodes, ownership, xattrs)
// without root. None of these operations may follow a symlink at the final component,
// except chmod, which extract.ts only calls on paths it has just created as non-symlinks.

import { constants } from "node:fs";
import * as fsp from "node:fs/promises";

export type NodeKind = "file" | "dir" | "symlink" | "other";

export interface FsOps {
  /** lstat: what is at `path`, or null when nothing is. Never follows a symlink. */
  lstat(path: string): Promise<NodeKind | null>;
  mkdir(path: string, mode: number): Promise<void>;
  /**
   * Creates a new regular file (O_CREAT|O_EXCL|O_NOFOLLOW: it must not exist), writes
   * the body, and sets its mode (after chown when `owner` is given, since chown clears
   * setuid bits).
   */
  writeFile(path: string, body: AsyncIterable<Uint8Array>, mode: number, owner?: { uid: number; gid: number }): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  /** link(2) without AT_SYMLINK_FOLLOW. */
  link(existing: string, path: string): Promise<void>;
  mknod(path: string, kind: "char" | "block", mode: number, major: number, minor: number): Promise<void>;
  mkfifo(path: string, mode: number): Promise<void>;
  /** Removes whatever is at `path` (recursively for a directory), not following symlinks. */
  remove(path: string): Promise<void>;
  lchown(path: string, uid: number, gid: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Sets atime and mtime (seconds) without following a symlink. */
  lutimes(path: string, atime: number, mtime: number): Promise<void>;
  lsetxattr(path: string, name: string, value: Uint8Array): Promise<void>;
}

/** What Node/Bun offer, plus mknod and lsetxattr from the C addon. */
export function defaultFsOps(): FsOps {
  return {
    async lstat(path) {
      try {
        const st = await fsp.lstat(path);
        if (st.isSymbolicLink()) return "symlink";
        if (st.isDirectory()) return "dir";
        if (st.isFile()) return "file";
        return "other";
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
      }
    },
    async mkdir(path, mode) {
      await fsp.mkdir(path, { mode });
    },
    async writeFile(path, body, mode, owner) {
      const fh = await fsp.open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        for await (const chunk of body) {
          let off = 0;
          while (off < chunk.length) {
            const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
            off += bytesWritten;
          }
        }
        if (owner) await fh.chown(owner.uid, owner.gid);
        await fh.chmod(mode);
      } finally {
        await fh.close();
      }
    },
    async symlink(target, path) {
      await fsp.symlink(target, path);
    },
    async link(existing, path) {
      await fsp.link(existing, path);
    },
    async mknod(path, kind, mode, major, minor) {
      const { addon } = await import("../../native/addon.ts");
      addon().mknod(path, kind, mode, major, minor);
    },
    async mkfifo(path, mode) {
      const { addon } = await import("../../native/addon.ts");
      addon().mkfifo(path, mode);
      await fsp.chmod(path, mode); // mkfifo is subject to the umask
    },
    async remove(path) {
      await fsp.rm(path, { recursive: true, force: true });
    },
    async lchown(path, uid, gid) {
      await fsp.lchown(path, uid, gid);
    },
    async chmod(path, mode) {
      await fsp.chmod(path, mode);
    },
    async lutimes(path, atime, mtime) {
      await fsp.lutimes(path, atime, mtime);
    },
    async lsetxattr(path, name, value) {
      const { addon } = await import("../../native/addon.ts");
      addon().lsetxattr(path, name, value);
    },
  };
}
