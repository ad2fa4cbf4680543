// Container snapshots (docs/engine-design.md, "Snapshots"): one directory per container,
// <data-root>/snapshots/<id>/ with upper/, work/ and merged/, over layer dirs that the
// layer store shares between all images and containers.
//
// A read-only container (--read-only) still gets an upper dir: as docker does, the
// runtime makes the root mount read-only, and the snapshot stays the same shape.
//
// overlay's "volatile" option (no syncs to the upper dir) is used only for ephemeral
// snapshots (--rm containers): after a crash a volatile upper may be silently torn, and
// the kernel refuses to remount it; a container whose writable layer is thrown away at
// exit loses nothing by that, a container that survives a reboot would.

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, chmodSync, chownSync, writeFileSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { HuskError } from "../runtime/errors.ts";
import { copyLayers } from "./copy-driver.ts";
import { chooseDriver, type DriverName } from "./driver-choice.ts";
import { mountsAtOrUnder } from "./mountinfo.ts";
import { realMountSys, type MountSys } from "./mount-sys.ts";
import { mountOverlay, unmountOverlay } from "./overlay-mount.ts";
import { checkOverlayPath, kernelAtLeast, type MountMethod, overlayLowerOrder, OVERLAY_MAX_LAYERS, type OverlaySpec } from "./overlay-options.ts";
import { removeTreeOnOneDevice } from "./safe-remove.ts";
import { chownThrough, chownTreeThrough, mountIdmappedOverlay, type SnapshotIdmap } from "./idmap-overlay.ts";

export interface SnapshotInfo {
  driver: DriverName;
  /** Layer diff dirs, top layer first (overlay's order). */
  lowerDirs: string[];
  /** overlay: the container's writable layer. copy: the same as mergedDir. */
  upperDir: string;
  /** overlay: its scratch dir. copy: "" (none). */
  workDir: string;
  mergedDir: string;
}

export interface SnapshotOptions {
  /** Default: HUSK_STORAGE_DRIVER, else what works on this host. */
  driver?: DriverName;
  /** The writable layer is discarded when the container ends (--rm): volatile is safe. */
  ephemeral?: boolean;
  /** Tests only: take one overlay mount method instead of the best available. */
  mountMethod?: MountMethod;
  /** The kernel seam (tests may record or fail calls). */
  sys?: MountSys;
  /** A container in a user namespace: the layers are seen through this mapping
   * (overlay over idmapped lowers; the copy driver chowns its private copy). */
  idmap?: SnapshotIdmap;
}

/** Kept in the snapshot dir so remount and cleanup need nothing else. */
interface SnapshotMeta {
  version: 1;
  driver: DriverName;
  lowerDirs: string[];
  volatile: boolean;
  created: string;
  /** Set for a user-namespaced container: every mount of it maps the layers again. */
  idmap?: SnapshotIdmap;
}

const ID = /^[0-9a-f]{64}$/;
const META = "snapshot.json";
/** overlay's mark of a volatile mount, left in the workdir until removed. */
const VOLATILE_MARK = "work/incompat/volatile";
/** The container's tree must not keep hardlinked copy-ups in an index it never needs. */
const OVERLAY_OPTIONS = ["index=off"];

export function snapshotsRoot(dataRoot: string): string {
  return join(dataRoot, "snapshots");
}

function snapshotDirOf(info: SnapshotInfo): string {
  const dir = dirname(info.mergedDir);
  if (!ID.test(basename(dir)) || basename(dirname(dir)) !== "snapshots" || basename(info.mergedDir) !== "merged")
    throw new HuskError(`snapshot ${info.mergedDir}: not a husk snapshot path (<data-root>/snapshots/<id>/merged)`, "the container record is damaged");
  return dir;
}

function readMeta(dir: string): SnapshotMeta | null {
  try {
    return JSON.parse(readFileSync(join(dir, META), "utf8")) as SnapshotMeta;
  } catch {
    return null;
  }
}

function writeMeta(dir: string, meta: SnapshotMeta): void {
  writeFileSync(join(dir, `${META}.tmp`), JSON.stringify(meta));
  renameSync(join(dir, `${META}.tmp`), join(dir, META));
}

/** A mount point has a different device than its parent directory (overlay gets its own). */
function isMounted(path: string): boolean {
  try {
    return statSync(path).dev !== statSync(dirname(path)).dev;
  } catch {
    return false;
  }
}

function checkLayers(layerDirs: readonly string[]): void {
  if (layerDirs.length === 0) throw new HuskError("create snapshot: no layers", "an image has at least one layer");
  for (const d of layerDirs) {
    let st;
    try {
      st = lstatSync(d);
    } catch {
      throw new HuskError(`create snapshot: layer dir ${d} is missing`, "re-pull the image");
    }
    if (!st.isDirectory()) throw new HuskError(`create snapshot: layer dir ${d} is not a directory`, "re-pull the image");
  }
}

/** Mount the overlay: plain, or over idmapped lowers for a user-namespaced container. */
function mountOverlayOf(sys: MountSys, info: SnapshotInfo, volatile: boolean, idmap: SnapshotIdmap | undefined, method?: MountMethod): void {
  if (idmap) (sys.idmapOverlay ?? mountIdmappedOverlay)(overlaySpec(info, volatile), idmap, info.mergedDir);
  else mountOverlay(sys, overlaySpec(info, volatile), info.mergedDir, method);
}

function overlaySpec(info: SnapshotInfo, volatile: boolean): OverlaySpec {
  return { lowerDirs: info.lowerDirs, upperDir: info.upperDir, workDir: info.workDir, options: volatile ? [...OVERLAY_OPTIONS, "volatile"] : OVERLAY_OPTIONS };
}

/**
 * Make the snapshot for container `id` over `layerDirs` (bottom first, as in the image)
 * and mount it. On failure nothing is left behind.
 */
export function createSnapshot(dataRoot: string, id: string, layerDirs: string[], opts: SnapshotOptions = {}): SnapshotInfo {
  if (!ID.test(id)) throw new HuskError(`create snapshot ${JSON.stringify(id)}: a snapshot id is 64 lowercase hex characters`);
  checkLayers(layerDirs);
  const sys = opts.sys ?? realMountSys();
  const driver = opts.driver ?? chooseDriver(dataRoot, process.env.HUSK_STORAGE_DRIVER, sys).driver;
  const root = snapshotsRoot(dataRoot);
  const dir = join(root, id);
  const info: SnapshotInfo =
    driver === "overlay"
      ? { driver, lowerDirs: overlayLowerOrder(layerDirs), upperDir: join(dir, "upper"), workDir: join(dir, "work"), mergedDir: join(dir, "merged") }
      : { driver, lowerDirs: overlayLowerOrder(layerDirs), upperDir: join(dir, "merged"), workDir: "", mergedDir: join(dir, "merged") };
  if (driver === "overlay") {
    if (layerDirs.length > OVERLAY_MAX_LAYERS) throw new HuskError(`create snapshot: ${layerDirs.length} layers, overlay stacks at most ${OVERLAY_MAX_LAYERS}`, "squash the image");
    for (const d of [...layerDirs, dir]) checkOverlayPath("path", d);
  }
  mkdirSync(root, { recursive: true, mode: 0o700 });
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new HuskError(`create snapshot ${id}: ${dir} already exists`, "remove the old container first");
    throw e;
  }
  const volatile = driver === "overlay" && opts.ephemeral === true && kernelAtLeast(sys.kernelRelease(), 5, 10);
  try {
    const top = statSync(layerDirs[layerDirs.length - 1]!);
    mkdirSync(info.mergedDir, { mode: 0o755 });
    if (driver === "overlay") {
      // The upper root is what the container sees as "/": give it the image's root attributes.
      mkdirSync(info.upperDir, { mode: 0o755 });
      if (opts.idmap) chownThrough(info.upperDir, top.uid, top.gid, opts.idmap);
      else chownSync(info.upperDir, top.uid, top.gid);
      chmodSync(info.upperDir, top.mode & 0o7777);
      mkdirSync(info.workDir, { mode: 0o700 });
      writeMeta(dir, { version: 1, driver, lowerDirs: info.lowerDirs, volatile, created: new Date().toISOString(), ...(opts.idmap ? { idmap: opts.idmap } : {}) });
      mountOverlayOf(sys, info, volatile, opts.idmap, opts.mountMethod);
    } else {
      copyLayers(layerDirs, info.mergedDir);
      if (opts.idmap) chownTreeThrough(info.mergedDir, opts.idmap);
      writeMeta(dir, { version: 1, driver, lowerDirs: info.lowerDirs, volatile: false, created: new Date().toISOString(), ...(opts.idmap ? { idmap: opts.idmap } : {}) });
    }
  } catch (e) {
    try {
      if (driver === "overlay") unmountOverlay(sys, info.mergedDir);
      removeTreeOnOneDevice(dir);
    } catch {
      // The first error is the one to report; a leftover dir is refused by the next create.
    }
    throw e;
  }
  return info;
}

/** Mount the snapshot again (after a reboot, or an unmount); a no-op when it is mounted. */
export function mountSnapshot(info: SnapshotInfo, sys: MountSys = realMountSys()): void {
  const dir = snapshotDirOf(info);
  if (!existsSync(info.mergedDir)) throw new HuskError(`mount snapshot: ${info.mergedDir} is missing`, "the container's files were removed; remove the container");
  if (info.driver === "copy") return;
  if (isMounted(info.mergedDir)) return;
  const meta = readMeta(dir);
  const volatile = meta?.volatile ?? false;
  if (volatile && existsSync(join(info.workDir, VOLATILE_MARK))) {
    // A volatile upper cannot be trusted after its mount is gone (crash or not), and the
    // kernel refuses it; an ephemeral container's writable layer starts afresh.
    for (const d of [info.upperDir, info.workDir]) {
      removeTreeOnOneDevice(d);
      mkdirSync(d, { mode: d === info.workDir ? 0o700 : 0o755 });
    }
    if (meta?.idmap) chownThrough(info.upperDir, 0, 0, meta.idmap);
  }
  mountOverlayOf(sys, info, volatile, meta?.idmap);
}

/** Unmount the snapshot; a no-op when it is not mounted. */
export function unmountSnapshot(info: SnapshotInfo, sys: MountSys = realMountSys()): void {
  snapshotDirOf(info);
  if (info.driver === "copy") return;
  unmountOverlay(sys, info.mergedDir);
}

/** Unmount, then remove upper, work and merged. Refuses while anything is still mounted there. */
export function removeSnapshot(info: SnapshotInfo, sys: MountSys = realMountSys()): void {
  const dir = snapshotDirOf(info);
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return; // already gone
  }
  if (!st.isDirectory()) throw new HuskError(`remove snapshot: ${dir} is not a directory (a symlink?)`, "nothing was removed; check who replaced it");
  unmountSnapshot(info, sys);
  const left = mountsAtOrUnder(dir);
  if (left.length > 0)
    throw new HuskError(`remove snapshot: ${left[0]!.mountPoint} is still mounted`, "unmount it first (a lazy unmount may still be settling); nothing was removed");
  removeTreeOnOneDevice(dir);
}

export interface SnapshotEntry {
  id: string;
  dir: string;
  /** From the snapshot's own metadata; undefined if it was never completed. */
  driver?: DriverName;
  mounted: boolean;
  info?: SnapshotInfo;
}

/** Every snapshot under dataRoot, so `husk system` can find those whose container is gone. */
export function listSnapshots(dataRoot: string): SnapshotEntry[] {
  const root = snapshotsRoot(dataRoot);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const out: SnapshotEntry[] = [];
  for (const id of names.sort()) {
    if (!ID.test(id)) continue;
    const dir = join(root, id);
    const meta = readMeta(dir);
    const merged = join(dir, "merged");
    const entry: SnapshotEntry = { id, dir, mounted: isMounted(merged) };
    if (meta) {
      entry.driver = meta.driver;
      entry.info =
        meta.driver === "overlay"
          ? { driver: "overlay", lowerDirs: meta.lowerDirs, upperDir: join(dir, "upper"), workDir: join(dir, "work"), mergedDir: merged }
          : { driver: "copy", lowerDirs: meta.lowerDirs, upperDir: merged, workDir: "", mergedDir: merged };
    }
    out.push(entry);
  }
  return out;
}

/** The GraphDriver block of `husk inspect`, as docker shows it. */
export function graphDriver(info: SnapshotInfo): { Name: string; Data: Record<string, string> } {
  return {
    Name: info.driver,
    Data: { LowerDir: info.lowerDirs.join(":"), UpperDir: info.upperDir, MergedDir: info.mergedDir, WorkDir: info.workDir },
  };
}
