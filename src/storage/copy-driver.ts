// The copy snapshot driver, for hosts without a working overlay: the layers (in overlay
// form, as the layer store keeps them) are copied bottom to top into one directory.
// A whiteout removes what lower layers put at its path; an opaque directory hides the
// lower layers' contents of that directory. Modes, owners, times, xattrs, symlinks,
// hardlinks (within a layer) and device nodes are kept.

import {
  copyFileSync,
  constants,
  linkSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  chmodSync,
  symlinkSync,
  type Stats,
} from "node:fs";
import { join } from "node:path";
import { addon } from "../native/addon.ts";

/** What the copy needs from the kernel beyond node:fs: overlay-form markers and xattrs. */
export interface CopyOps {
  /** A whiteout in overlay form: a 0/0 character device. */
  isWhiteout(path: string, st: Stats): boolean;
  /** An opaque directory: trusted.overlay.opaque (or user.overlay.opaque) is "y". */
  isOpaque(dir: string): boolean;
  /** Copy the xattrs of src onto dst, leaving out overlay's own. */
  copyXattrs(src: string, dst: string): void;
  mknod(path: string, st: Stats): void;
  mkfifo(path: string, mode: number): void;
}

const OVERLAY_XATTR = /^(trusted|user)\.overlay\./;

export function defaultCopyOps(): CopyOps {
  const y = (v: Uint8Array | null) => v !== null && v.length === 1 && v[0] === 0x79;
  return {
    isWhiteout: (_p, st) => st.isCharacterDevice() && st.rdev === 0,
    isOpaque: (dir) => y(addon().lgetxattr(dir, "trusted.overlay.opaque")) || y(addon().lgetxattr(dir, "user.overlay.opaque")),
    copyXattrs(src, dst) {
      for (const name of addon().llistxattr(src)) {
        if (OVERLAY_XATTR.test(name)) continue;
        const v = addon().lgetxattr(src, name);
        if (v) addon().lsetxattr(dst, name, v);
      }
    },
    mknod(path, st) {
      const major = Number((BigInt(st.rdev) >> 8n) & 0xfffn) | Number((BigInt(st.rdev) >> 32n) & ~0xfffn);
      const minor = Number(BigInt(st.rdev) & 0xffn) | Number((BigInt(st.rdev) >> 12n) & ~0xffn);
      addon().mknod(path, st.isBlockDevice() ? "block" : "char", st.mode & 0o7777, major, minor);
    },
    mkfifo: (path, mode) => addon().mkfifo(path, mode),
  };
}

/** Remove whatever is at path (a tree for a directory); symlinks are not followed. */
function removeAny(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

function setAttrs(ops: CopyOps, src: string, dst: string, st: Stats): void {
  lchownSync(dst, st.uid, st.gid);
  // chown clears setuid/setgid, so the mode comes after it; a symlink has no mode of its own.
  if (!st.isSymbolicLink()) chmodSync(dst, st.mode & 0o7777);
  ops.copyXattrs(src, dst);
  lutimesSync(dst, st.atime, st.mtime);
}

class LayerCopy {
  /** dev:ino of a multiply linked file in this layer -> where its first name was copied. */
  private readonly linked = new Map<string, string>();
  constructor(private readonly ops: CopyOps) {}

  dir(src: string, dst: string): void {
    if (this.ops.isOpaque(src)) for (const n of readdirSync(dst)) removeAny(join(dst, n));
    for (const name of readdirSync(src)) this.entry(join(src, name), join(dst, name));
  }

  private entry(src: string, dst: string): void {
    const st = lstatSync(src);
    if (this.ops.isWhiteout(src, st)) return removeAny(dst);
    const have = lstatOrNull(dst);
    if (st.isDirectory()) {
      if (have && !have.isDirectory()) removeAny(dst);
      if (!have || !have.isDirectory()) mkdirSync(dst, 0o700);
      this.dir(src, dst);
      setAttrs(this.ops, src, dst, st); // after the children, so their creation does not bump mtime
      return;
    }
    if (have) removeAny(dst);
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? this.linked.get(key) : undefined;
    if (first) return linkSync(first, dst);
    if (st.isFile()) copyFileSync(src, dst, constants.COPYFILE_FICLONE);
    else if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (st.isCharacterDevice() || st.isBlockDevice()) this.ops.mknod(dst, st);
    else if (st.isFIFO()) this.ops.mkfifo(dst, st.mode & 0o7777);
    else return; // sockets are not content
    setAttrs(this.ops, src, dst, st);
    if (st.nlink > 1) this.linked.set(key, dst);
  }
}

/**
 * Copy `layerDirs` (bottom first, as in the image) into `dest`, an existing directory,
 * applying each layer's whiteouts and opaque dirs to what the layers below left.
 */
export function copyLayers(layerDirs: readonly string[], dest: string, ops: CopyOps = defaultCopyOps()): void {
  for (const layer of layerDirs) {
    new LayerCopy(ops).dir(layer, dest);
    setAttrs(ops, layer, dest, lstatSync(layer)); // the top layer's root is the tree's root
  }
}
