// Extracts one OCI image layer into a directory that overlayfs can use as a lower layer.
//
// - OCI whiteouts become overlayfs ones: `dir/.wh.name` -> a char device 0/0 `dir/name`;
//   `dir/.wh..wh..opq` -> xattr `<prefix>.overlay.opaque=y` on `dir`.
// - Nothing may escape `dest`: entry paths are normalized lexically and refused when
//   when `..` leaves the layer (a leading `/` is the layer root, as in docker); every
//   parent component is checked once per extraction (made by mkdir here, or lstat'ed;
//   re-checked after anything at or above it is replaced) and a symlink or non-directory
//   parent is refused; files are created O_EXCL|O_NOFOLLOW, and whatever already was at
//   their path is removed first (like tar --unlink-first); hardlinks must point at a
//   non-directory extracted earlier from this layer.
// - Few syscalls per file: the create is tried first and only an EEXIST leads to a lstat
//   and a removal; ownership, mode and mtime go through the open fd (fs-ops.ts).
// - Directory modes and mtimes are applied at the end (after their content), and only if
//   the path is still a real directory then.
// On a refusal the extraction stops with a HuskError naming the entry; the caller removes
// the partial directory.

import { join } from "node:path";
import { HuskError } from "../../runtime/errors.ts";
import { decompress } from "./decompress.ts";
import { defaultFsOps, type FileSink, type FsOps } from "./fs-ops.ts";
import { readTar, type TarEntry, type TarReadOptions } from "./tar-reader.ts";

export interface ExtractOptions {
  /** Running as (real or userns) root: apply ownership and create device nodes. */
  root: boolean;
  /** The kernel seam; defaults to what Node/Bun offer (see fs-ops.ts). */
  fsOps?: FsOps;
  /**
   * Name of the opaque-directory xattr. Default `trusted.overlay.opaque` when root,
   * `user.overlay.opaque` otherwise (overlay mounted with `userxattr`).
   */
  opaqueXattr?: string;
  /** Decompress gzip/zstd by magic (default true). */
  decompress?: boolean;
  tar?: TarReadOptions;
}

export interface ExtractResult {
  /** Tar entries processed (including whiteouts and skipped ones). */
  entries: number;
  /** Entries or attributes left out, with the reason (e.g. devices when not root). */
  skipped: string[];
}

const WH_PREFIX = ".wh.";
const WH_META_PREFIX = ".wh..wh.";
const WH_OPAQUE = ".wh..wh..opq";

/** Thrown for an entry the unpacker will not extract. */
export class LayerEntryRefused extends HuskError {
  constructor(
    readonly entryPath: string,
    readonly reason: string,
  ) {
    super(`layer entry ${JSON.stringify(entryPath)} refused: ${reason}`, "the layer is malformed or hostile; it was not unpacked");
    this.name = "LayerEntryRefused";
  }
}

/**
 * Normalizes a tar path lexically to a relative path inside the layer ("" is the layer
 * root; a leading "/" is the layer root). Throws LayerEntryRefused for `..` that leaves the layer.
 */
export function normalizeLayerPath(entryPath: string, what = "path"): string {
  if (entryPath === "") throw new LayerEntryRefused(entryPath, `empty ${what}`);
  const out: string[] = [];
  // A leading "/" means the layer root, as docker reads layers (entries are relative to
  // the root they are unpacked into); ".." above that root is still refused.
  for (const c of entryPath.replace(/^\/+/, "").split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (out.length === 0) throw new LayerEntryRefused(entryPath, `${what} leaves the layer through ".."`);
      out.pop();
      continue;
    }
    out.push(c);
  }
  return out.join("/");
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? "" : rel.slice(0, i);
}

function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf("/") + 1);
}

interface DirMeta {
  mode: number;
  mtime: number;
}

export async function extractLayer(chunks: AsyncIterable<Uint8Array>, dest: string, opts: ExtractOptions): Promise<ExtractResult> {
  const ops = opts.fsOps ?? defaultFsOps();
  const opaqueXattr = opts.opaqueXattr ?? (opts.root ? "trusted.overlay.opaque" : "user.overlay.opaque");
  const skipped: string[] = [];
  /** Relative paths known to be real directories (not symlinks) in this extraction. */
  const verifiedDirs = new Set<string>([""]);
  /** Non-directories extracted from this layer: the only valid hardlink targets. */
  const extracted = new Set<string>();
  const pendingDirs = new Map<string, DirMeta>();
  const abs = (rel: string) => (rel === "" ? dest : join(dest, rel));

  const destKind = ops.lstat(dest);
  // A dest made here is chmod'ed out of any setgid inherited from its parent; the dirs
  // below it are made 0755 and get their modes only at the end, so no parent is setgid
  // while files are created and root's new files are 0:0 without a chown.
  let plainParents = false;
  if (destKind === null) {
    ops.mkdir(dest, 0o755);
    ops.chmod(dest, 0o755);
    plainParents = true;
  } else if (destKind !== "dir") throw new HuskError(`layer destination ${dest} is not a directory`);

  /** Forgets what we knew about `rel` and everything below it (it was replaced). */
  const invalidate = (rel: string) => {
    const below = `${rel}/`;
    for (const set of [verifiedDirs, extracted]) {
      for (const p of set) if (p === rel || p.startsWith(below)) set.delete(p);
    }
    for (const p of pendingDirs.keys()) if (p === rel || p.startsWith(below)) pendingDirs.delete(p);
  };

  /** Makes sure every parent of `rel` is a real directory inside dest, creating missing ones. */
  const ensureParents = (entryPath: string, rel: string) => {
    let end = rel.indexOf("/");
    while (end >= 0) {
      const sub = rel.slice(0, end);
      end = rel.indexOf("/", end + 1);
      if (verifiedDirs.has(sub)) continue;
      if (!tryCreate(() => ops.mkdir(abs(sub), 0o755))) {
        const kind = ops.lstat(abs(sub));
        if (kind === "symlink") throw new LayerEntryRefused(entryPath, `parent ${JSON.stringify(sub)} is a symlink; refusing to write through it`);
        if (kind !== "dir") throw new LayerEntryRefused(entryPath, `parent ${JSON.stringify(sub)} is not a directory`);
      }
      verifiedDirs.add(sub);
    }
  };

  /** Removes whatever is at `rel` (never following a symlink), so a new node can be created there. */
  const clear = (rel: string) => {
    const kind = ops.lstat(abs(rel));
    if (kind !== null) {
      ops.remove(abs(rel));
      invalidate(rel);
    }
  };

  /** Runs a creating call; false when it failed because something is already there. */
  const tryCreate = (create: () => void): boolean => {
    try {
      create();
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    }
  };

  /** Creates a node at `rel`, replacing whatever an earlier entry put there. */
  const createReplacing = (rel: string, create: () => void) => {
    if (tryCreate(create)) return;
    clear(rel);
    create();
  };

  const applyXattrs = (entry: TarEntry, rel: string) => {
    for (const [name, value] of entry.xattrs) {
      if (!opts.root && !name.startsWith("user.")) {
        skipped.push(`${entry.path}: xattr ${name} (needs root)`);
        continue;
      }
      ops.lsetxattr(abs(rel), name, value);
    }
  };

  const chownIfNeeded = (p: string, entry: TarEntry) => {
    if (opts.root && (entry.uid !== 0 || entry.gid !== 0 || !plainParents)) ops.lchown(p, entry.uid, entry.gid);
  };

  const writeFile = async (entry: TarEntry, rel: string, p: string) => {
    const owner = opts.root ? { uid: entry.uid, gid: entry.gid } : undefined;
    let sink: FileSink | undefined;
    createReplacing(rel, () => {
      sink = ops.createFile(p, entry.mode, owner, plainParents);
    });
    try {
      for await (const chunk of entry.body) sink!.write(chunk);
    } catch (e) {
      sink!.abort();
      throw e;
    }
    sink!.finish(entry.mtime);
  };

  const extractOne = async (entry: TarEntry) => {
    const rel = normalizeLayerPath(entry.path);
    const base = baseOf(rel);

    if (base.startsWith(WH_PREFIX)) {
      ensureParents(entry.path, rel);
      const dir = parentOf(rel);
      if (base === WH_OPAQUE) {
        ops.lsetxattr(abs(dir), opaqueXattr, new TextEncoder().encode("y"));
      } else if (base.startsWith(WH_META_PREFIX)) {
        skipped.push(`${entry.path}: aufs metadata`);
      } else {
        const name = base.slice(WH_PREFIX.length);
        if (name === "" || name === "." || name === "..") throw new LayerEntryRefused(entry.path, "whiteout without a name");
        const target = dir === "" ? name : `${dir}/${name}`;
        createReplacing(target, () => ops.mknod(abs(target), "char", 0, 0, 0));
      }
      return;
    }

    if (rel === "") {
      if (entry.type !== "dir") throw new LayerEntryRefused(entry.path, `a ${entry.type} cannot replace the layer root`);
      if (opts.root) ops.lchown(dest, entry.uid, entry.gid);
      applyXattrs(entry, rel);
      pendingDirs.set("", { mode: entry.mode, mtime: entry.mtime });
      return;
    }

    ensureParents(entry.path, rel);
    const p = abs(rel);
    switch (entry.type) {
      case "dir": {
        if (!verifiedDirs.has(rel) && !tryCreate(() => ops.mkdir(p, 0o755))) {
          const kind = ops.lstat(p);
          if (kind !== "dir") {
            ops.remove(p);
            invalidate(rel);
            ops.mkdir(p, 0o755);
          }
        }
        verifiedDirs.add(rel);
        chownIfNeeded(p, entry);
        applyXattrs(entry, rel);
        pendingDirs.set(rel, { mode: entry.mode, mtime: entry.mtime });
        return;
      }
      case "file": {
        await writeFile(entry, rel, p);
        applyXattrs(entry, rel);
        extracted.add(rel);
        return;
      }
      case "symlink": {
        if (entry.linkname === "") throw new LayerEntryRefused(entry.path, "symlink with an empty target");
        createReplacing(rel, () => ops.symlink(entry.linkname, p));
        chownIfNeeded(p, entry);
        applyXattrs(entry, rel);
        ops.lutimes(p, entry.mtime, entry.mtime);
        extracted.add(rel);
        return;
      }
      case "hardlink": {
        let target: string;
        try {
          target = normalizeLayerPath(entry.linkname, "hardlink target");
        } catch (e) {
          if (e instanceof LayerEntryRefused) throw new LayerEntryRefused(entry.path, `${e.reason} (${JSON.stringify(entry.linkname)})`);
          throw e;
        }
        if (target === rel) return; // a link to itself: nothing to do
        if (!extracted.has(target)) {
          throw new LayerEntryRefused(entry.path, `hardlink target ${JSON.stringify(entry.linkname)} is not a file extracted earlier from this layer`);
        }
        createReplacing(rel, () => ops.link(abs(target), p));
        extracted.add(rel);
        return;
      }
      case "chardev":
      case "blockdev": {
        if (!opts.root) {
          skipped.push(`${entry.path}: device node (needs root)`);
          return;
        }
        createReplacing(rel, () => ops.mknod(p, entry.type === "chardev" ? "char" : "block", entry.mode, entry.devmajor, entry.devminor));
        ops.lchown(p, entry.uid, entry.gid);
        ops.chmod(p, entry.mode);
        applyXattrs(entry, rel);
        ops.lutimes(p, entry.mtime, entry.mtime);
        extracted.add(rel);
        return;
      }
      case "fifo": {
        createReplacing(rel, () => ops.mkfifo(p, entry.mode));
        chownIfNeeded(p, entry);
        ops.chmod(p, entry.mode);
        applyXattrs(entry, rel);
        ops.lutimes(p, entry.mtime, entry.mtime);
        extracted.add(rel);
        return;
      }
    }
  };

  const source = opts.decompress === false ? chunks : decompress(chunks);
  let entries = 0;
  for await (const entry of readTar(source, opts.tar)) {
    entries++;
    try {
      await extractOne(entry);
    } catch (e) {
      if (e instanceof HuskError) throw e;
      const err = e as NodeJS.ErrnoException;
      throw new HuskError(`layer entry ${JSON.stringify(entry.path)}: ${err.code ? `${err.code}: ` : ""}${err.message ?? String(e)}`);
    }
  }

  // Directory metadata last: deepest first, and only where a real directory still stands.
  const depth = (rel: string) => (rel === "" ? 0 : rel.split("/").length);
  const dirs = [...pendingDirs.entries()].sort((a, b) => depth(b[0]) - depth(a[0]));
  for (const [rel, meta] of dirs) {
    if (ops.lstat(abs(rel)) !== "dir") continue;
    ops.chmod(abs(rel), meta.mode);
    ops.lutimes(abs(rel), meta.mtime, meta.mtime);
  }
  return { entries, skipped };
}
