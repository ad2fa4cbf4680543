// `husk cp`: docker's rules for where things land, over a container root whose paths are
// always resolved inside it (in-root.ts). Out of the container, links inside the copied
// tree are copied as links; into it, every entry is placed under a parent that was
// resolved in the root, and an existing link at the final name is replaced, not followed.
import {
  chmodSync, copyFileSync, linkSync, lchownSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, type Stats, statSync, symlinkSync, unlinkSync,
} from "node:fs";
import { basename, dirname } from "node:path";
import { HuskError } from "../../runtime/errors.ts";
import { hostPathOf, resolveInRoot, tarEntryParts } from "./in-root.ts";
import type { TarEntry } from "../../image/unpack/tar-reader.ts";

export interface CopyOptions {
  /** -a: keep uid/gid of the source (else: root in the container, the caller on the host). */
  archive: boolean;
  /** -L: follow a symlink that SRC itself names. */
  followLink: boolean;
}

const errnoOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? "EIO";

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** "x/." copies the contents of x, not x itself (docker, like cp -a x/. dest). */
export const contentsOnly = (p: string) => p === "." || p.endsWith("/.");
const endsWithSlash = (p: string) => p.endsWith("/");

/** Where SRC goes given DEST: into DEST/basename when DEST is a dir, else DEST itself. */
export function landing(srcPath: string, srcIsDir: boolean, destPath: string, dest: Stats | undefined, destDesc: string): { path: string; into: boolean } {
  if (dest?.isDirectory()) return contentsOnly(srcPath) ? { path: destPath, into: true } : { path: `${destPath}/${basename(srcPath)}`, into: false };
  if (dest && srcIsDir) throw new HuskError(`cannot copy a directory to a file: ${destDesc}`, "give a directory (or a new name) as the destination");
  if (!dest && endsWithSlash(destPath) && !srcIsDir) throw new HuskError(`destination directory ${destDesc} does not exist`, "create it first, or drop the trailing /");
  return { path: destPath, into: false };
}

// ---- out of the container (host destination: the user's own paths, followed normally) ----

function copyOut(src: string, st: Stats, dest: string, opts: CopyOptions): void {
  if (st.isSymbolicLink()) {
    if (lstatOrUndefined(dest)) unlinkSync(dest);
    symlinkSync(readlinkSync(src, "utf8"), dest);
  } else if (st.isDirectory()) {
    if (!lstatOrUndefined(dest)?.isDirectory()) mkdirSync(dest);
    for (const child of readdirSync(src)) copyOut(`${src}/${child}`, lstatSync(`${src}/${child}`), `${dest}/${child}`, opts);
    chmodSync(dest, st.mode & 0o7777);
  } else if (st.isFile()) {
    copyFileSync(src, dest);
    chmodSync(dest, st.mode & 0o7777);
  } else {
    return; // devices, fifos, sockets: not copied
  }
  if (opts.archive) lchownSync(dest, st.uid, st.gid);
  lutimesSync(dest, st.atime, st.mtime);
}

/** CONTAINER:SRC to a host path. */
export function copyFromContainer(root: string, srcPath: string, dest: string, opts: CopyOptions, name: string): void {
  const srcHost = hostPathOf(root, resolveInRoot(root, srcPath, opts.followLink));
  const st = lstatOrUndefined(srcHost);
  if (!st) throw new HuskError(`could not find ${srcPath} in container ${name}: ENOENT`, `see 'husk exec ${name} ls'`);
  let destSt: Stats | undefined;
  try {
    destSt = statSync(dest);
  } catch {}
  if (!destSt && !lstatOrUndefined(dirname(dest))?.isDirectory()) throw new HuskError(`cannot copy to ${dest}: its parent directory does not exist: ENOENT`, "create the parent directory first");
  const where = landing(srcPath, st.isDirectory(), dest, destSt, dest);
  if (where.into) {
    for (const child of readdirSync(srcHost)) copyOut(`${srcHost}/${child}`, lstatSync(`${srcHost}/${child}`), `${where.path}/${child}`, opts);
    return;
  }
  copyOut(srcHost, st, where.path, opts);
}

// ---- into the container (every path resolved in its root) ----

interface Placed {
  host: string;
  existing: Stats | undefined;
}

/** The host path for the container path `parts`: its parent resolved in the root, the
 * last component itself never followed. */
function place(root: string, parts: string[]): Placed {
  const parent = resolveInRoot(root, parts.slice(0, -1).join("/"), true);
  const host = hostPathOf(root, [...parent, parts[parts.length - 1]!]);
  return { host, existing: lstatOrUndefined(host) };
}

function owner(opts: CopyOptions, uid: number, gid: number): [number, number] {
  return opts.archive ? [uid, gid] : [0, 0];
}

interface NewEntry {
  type: "file" | "dir" | "symlink" | "hardlink";
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  linkTarget?: string;
  /** Host path of the hardlink's target, already resolved in the root. */
  hardlinkHost?: string;
  /** Writes a regular file's bytes to the given host path. */
  writeBody?: (hostPath: string) => void | Promise<void>;
}

async function createIn(root: string, parts: string[], e: NewEntry, opts: CopyOptions): Promise<void> {
  if (!parts.length) return; // the destination itself: it exists
  const p = place(root, parts);
  if (p.existing && !(e.type === "dir" && p.existing.isDirectory())) {
    if (p.existing.isDirectory()) throw new HuskError(`cannot overwrite directory ${parts.join("/")} in the container with a non-directory`, "remove it first");
    unlinkSync(p.host); // a link here is replaced, never written through
  }
  if (e.type === "dir") {
    if (!p.existing?.isDirectory()) mkdirSync(p.host);
    chmodSync(p.host, e.mode & 0o7777);
  } else if (e.type === "symlink") symlinkSync(e.linkTarget!, p.host);
  else if (e.type === "hardlink") {
    linkSync(e.hardlinkHost!, p.host);
    return;
  } else {
    await e.writeBody!(p.host);
    chmodSync(p.host, e.mode & 0o7777);
  }
  lchownSync(p.host, ...owner(opts, e.uid, e.gid));
  if (e.type !== "symlink") lutimesSync(p.host, e.mtime, e.mtime);
}

async function copyIn(root: string, src: string, st: Stats, parts: string[], opts: CopyOptions): Promise<void> {
  const base = { mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtime };
  if (st.isSymbolicLink()) await createIn(root, parts, { ...base, type: "symlink", linkTarget: readlinkSync(src, "utf8") }, opts);
  else if (st.isDirectory()) {
    await createIn(root, parts, { ...base, type: "dir" }, opts);
    for (const child of readdirSync(src)) await copyIn(root, `${src}/${child}`, lstatSync(`${src}/${child}`), [...parts, child], opts);
  } else if (st.isFile()) await createIn(root, parts, { ...base, type: "file", writeBody: (h) => copyFileSync(src, h) }, opts);
}

/** The container dir DEST (resolved in the root) and what is there. */
function containerDest(root: string, destPath: string): { parts: string[]; st: Stats | undefined } {
  const parts = resolveInRoot(root, destPath, true);
  return { parts, st: lstatOrUndefined(hostPathOf(root, parts)) };
}

/** A host path to CONTAINER:DEST. */
export async function copyToContainer(root: string, src: string, destPath: string, opts: CopyOptions, name: string): Promise<void> {
  let st: Stats;
  try {
    st = opts.followLink ? statSync(src) : lstatSync(src);
  } catch (e) {
    throw new HuskError(`cannot copy ${src}: ${errnoOf(e)}`, "check the source path");
  }
  const dest = containerDest(root, destPath);
  if (!dest.st && !lstatOrUndefined(hostPathOf(root, dest.parts.slice(0, -1)))?.isDirectory())
    throw new HuskError(`cannot copy to ${destPath} in container ${name}: its parent directory does not exist: ENOENT`, "create it first (husk exec ... mkdir -p)");
  const where = landing(src, st.isDirectory(), destPath, dest.st, `${name}:${destPath}`);
  if (where.into) {
    for (const child of readdirSync(src)) await copyIn(root, `${src}/${child}`, lstatSync(`${src}/${child}`), [...dest.parts, child], opts);
    return;
  }
  const parts = dest.st?.isDirectory() ? [...dest.parts, basename(src)] : dest.parts;
  await copyIn(root, src, st, parts, opts);
}

/** A tar stream (cp - CONTAINER:DEST) unpacked into the container dir DEST. */
export async function extractToContainer(root: string, entries: AsyncIterable<TarEntry>, destPath: string, opts: CopyOptions, name: string, warn: (m: string) => void): Promise<void> {
  const dest = containerDest(root, destPath);
  if (!dest.st?.isDirectory()) throw new HuskError(`destination ${name}:${destPath} must be a directory when copying from a tar stream: ${dest.st ? "ENOTDIR" : "ENOENT"}`, "create it first");
  for await (const e of entries) {
    const rel = tarEntryParts(e.path);
    const parts = [...dest.parts, ...rel];
    const base = { mode: e.mode, uid: e.uid, gid: e.gid, mtime: new Date(e.mtime * 1000) };
    // Archives may leave out parent directory entries: make them (resolved in the root too).
    for (let i = 1; i < rel.length; i++) {
      const p = place(root, [...dest.parts, ...rel.slice(0, i)]);
      if (!p.existing) await createIn(root, [...dest.parts, ...rel.slice(0, i)], { type: "dir", mode: 0o755, uid: 0, gid: 0, mtime: new Date() }, { ...opts, archive: false });
    }
    if (e.type === "dir") await createIn(root, parts, { ...base, type: "dir" }, opts);
    else if (e.type === "symlink") await createIn(root, parts, { ...base, type: "symlink", linkTarget: e.linkname }, opts);
    else if (e.type === "hardlink") {
      const target = place(root, [...dest.parts, ...tarEntryParts(e.linkname)]);
      if (!target.existing || target.existing.isSymbolicLink() || target.existing.isDirectory())
        throw new HuskError(`refusing archive entry "${e.path}": its hard link target "${e.linkname}" is not a file extracted before it`);
      await createIn(root, parts, { ...base, type: "hardlink", hardlinkHost: target.host }, opts);
    } else if (e.type === "file") {
      await createIn(root, parts, {
        ...base, type: "file",
        writeBody: async (h) => {
          const out = Bun.file(h).writer();
          for await (const chunk of e.body) out.write(chunk);
          await out.end();
        },
      }, opts);
    } else warn(`skipped ${e.path}: ${e.type} entries are not copied`);
  }
}
