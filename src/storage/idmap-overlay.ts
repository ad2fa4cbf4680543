// A snapshot for a container in a user namespace: overlay over idmapped lower layers
// (`husk-core idmap-overlay`), so the shared layers are never chowned. The lowers show
// on-disk id N as the container's host id for N; the upper is plain, so what the
// container writes lands there owned by its mapped host ids, and the merged dir shows
// the whole tree in host ids, which the container's user namespace maps back to its own.
//
// Kernel needs: overlay over idmapped layers (5.19), layers passed as fds through
// fsconfig "lowerdir+" (6.13), and detached (idmapped) mounts accepted as layers (6.15).
// An idmapped mount of the overlay itself is refused by the kernel (overlayfs does not
// allow idmapping, EINVAL on 6.18), which is why the lowers are mapped instead.
// husk-core does it because making the user namespace that carries the mapping forks.
import { chmodSync, chownSync, lchownSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { huskCorePath } from "../native/core-binary.ts";
import { HuskError } from "../runtime/errors.ts";
import type { OverlaySpec } from "./overlay-options.ts";

export interface IdRangeMap {
  containerID: number;
  hostID: number;
  size: number;
}

export interface SnapshotIdmap {
  uid: IdRangeMap[];
  gid: IdRangeMap[];
}

const OVERFLOW_ID = 65534;

/** On-disk id `id` as the mapping shows it (the kernel's overflow id when unmapped). */
export function mappedId(maps: readonly IdRangeMap[], id: number): number {
  const m = maps.find((x) => id >= x.containerID && id < x.containerID + x.size);
  return m ? m.hostID + (id - m.containerID) : OVERFLOW_ID;
}

/** husk-core's argv for one mount (pure, unit-tested). */
export function idmapOverlayArgv(spec: OverlaySpec, idmap: SnapshotIdmap, target: string): string[] {
  const triple = (m: IdRangeMap) => `${m.containerID}:${m.hostID}:${m.size}`;
  return [
    "idmap-overlay",
    ...idmap.uid.flatMap((m) => ["--uidmap", triple(m)]),
    ...idmap.gid.flatMap((m) => ["--gidmap", triple(m)]),
    ...spec.lowerDirs.flatMap((d) => ["--lower", d]),
    "--upper", spec.upperDir,
    "--work", spec.workDir,
    ...spec.options.flatMap((o) => ["--option", o]),
    target,
  ];
}

export function mountIdmappedOverlay(spec: OverlaySpec, idmap: SnapshotIdmap, target: string): void {
  const r = Bun.spawnSync([huskCorePath(), ...idmapOverlayArgv(spec, idmap, target)], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  if (r.exitCode === 0) return;
  const msg = r.stderr.toString().trim().replace(/^husk-core: idmap-overlay: /, "");
  throw new HuskError(
    `mount snapshot ${target} over idmapped layers: ${msg || `husk-core exited with status ${r.exitCode}`}`,
    "a user namespace needs overlay over idmapped layers (Linux 6.15 or later); use --userns host on this kernel",
    125,
  );
}

/** The copy driver's fallback: the container's private copy is chowned through the
 * mapping (the layers themselves are untouched). */
export function chownTreeThrough(dir: string, idmap: SnapshotIdmap): void {
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    lchownSync(p, mappedId(idmap.uid, st.uid), mappedId(idmap.gid, st.gid));
    // lchown drops set-id bits; put them back as they were.
    if (!st.isSymbolicLink() && st.mode & 0o6000) chmodSync(p, st.mode & 0o7777);
  };
  walk(dir);
}

export function chownThrough(path: string, uid: number, gid: number, idmap: SnapshotIdmap): void {
  chownSync(path, mappedId(idmap.uid, uid), mappedId(idmap.gid, gid));
}
