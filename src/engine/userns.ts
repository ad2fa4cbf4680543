// A container's user namespace: the mappings it runs with (kept in its record), made
// from what --userns/--uidmap/--gidmap asked for, and the auto range freed at rm.
import { chmodSync, chownSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { HuskError } from "../runtime/errors.ts";
import type { SnapshotIdmap } from "../storage/idmap-overlay.ts";
import type { ContainerRecord } from "./record.ts";
import { hostIdOf, type IdMap, type UsernsRequest } from "./userns-flags.ts";
import { allocateRange, releaseRange } from "./userns-ranges.ts";

export interface RecordUserns {
  uidMappings: IdMap[];
  gidMappings: IdMap[];
  /** From --userns auto: a range of husk's to free at rm. */
  allocated: boolean;
}

/** The mappings for a new container (allocating a range for auto); undefined for host. */
export function containerUserns(dataRoot: string, id: string, req: UsernsRequest): RecordUserns | undefined {
  if (req.mode === "host") return undefined;
  if (req.mode === "maps") return { uidMappings: req.uid, gidMappings: req.gid, allocated: false };
  const r = allocateRange(dataRoot, id, req.size);
  return { uidMappings: r.uid, gidMappings: r.gid, allocated: true };
}

export function snapshotIdmap(u: RecordUserns | undefined): SnapshotIdmap | undefined {
  return u ? { uid: u.uidMappings, gid: u.gidMappings } : undefined;
}

/** Free what the container held (idempotent: an interrupted rm may come again). */
export function releaseUserns(dataRoot: string, rec: Pick<ContainerRecord, "id" | "userns">): void {
  if (rec.userns?.allocated) releaseRange(dataRoot, rec.id);
}

/** Files husk writes for the container (/etc/hosts, ...) belong to the container's root. */
export function chownToContainerRoot(paths: string[], u: RecordUserns | undefined): void {
  if (!u) return;
  const uid = hostIdOf(u.uidMappings, 0);
  const gid = hostIdOf(u.gidMappings, 0);
  if (uid === undefined || gid === undefined) return;
  for (const p of paths) chownSync(p, uid, gid);
}

/**
 * A user-namespaced container's root is an unprivileged host id, and the child reaches
 * its rootfs and bind sources by path after entering the namespace: every directory on
 * the way must let others through (x), as docker's 0711 dirs do. husk's own dirs are
 * opened up (listing stays closed); a directory of the user's is named in the error.
 */
export function makeReachable(ownDirs: string[], upTo: string, stat = statSync, chmod = chmodSync): void {
  for (const d of ownDirs) {
    const mode = stat(d).mode & 0o7777;
    if (!(mode & 0o001)) chmod(d, mode | 0o011);
  }
  for (let d = resolve(upTo); ; d = dirname(d)) {
    const mode = stat(d).mode;
    if (!(mode & 0o001))
      throw new HuskError(
        `--userns: ${d} (mode ${(mode & 0o777).toString(8).padStart(4, "0")}) does not let the container's root reach its files: EACCES`,
        `allow others to enter it ('chmod o+x ${d}') or use --userns host`,
        125,
      );
    if (d === "/") return;
  }
}
