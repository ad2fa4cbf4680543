// Id ranges for --userns auto: each container gets its own range of host ids, so no two
// containers share an owner on disk. Ranges come from /etc/subuid and /etc/subgid for a
// user "husk" (or podman's "containers") when the host lists one, else from husk's own
// pool above 100000. What is handed out is recorded in <data-root>/userns/ranges.msgpack
// under a lock, and freed by rm.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Packr } from "msgpackr/pack";
import { addon } from "../native/addon.ts";
import { HuskError } from "../runtime/errors.ts";
import { writeFileAtomic } from "../state/atomic-file.ts";
import type { IdMap } from "./userns-flags.ts";

export interface IdRange {
  start: number;
  size: number;
}

/** The subordinate-id owners husk takes ranges from, in order. */
export const SUBID_USERS = ["husk", "containers"];
/** husk's own pool when no subordinate ids are listed: above the ids people and
 * services use, below 2^31 (some tools read ids as signed). */
export const POOL: IdRange = { start: 100000, size: 2 ** 31 - 100000 };

/** Lines "name:start:count" of /etc/subuid or /etc/subgid for `user`. */
export function parseSubIds(text: string, user: string): IdRange[] {
  const out: IdRange[] = [];
  for (const line of text.split("\n")) {
    const [name, start, count] = line.trim().split(":");
    if (name !== user || !/^\d+$/.test(start ?? "") || !/^\d+$/.test(count ?? "")) continue;
    if (Number(count) > 0) out.push({ start: Number(start), size: Number(count) });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The lowest start of `size` free ids within `sources`, avoiding `taken`. */
export function firstFit(sources: readonly IdRange[], taken: readonly IdRange[], size: number): number | undefined {
  const busy = [...taken].sort((a, b) => a.start - b.start);
  for (const src of sources) {
    let at = src.start;
    const end = src.start + src.size;
    for (const t of busy) {
      if (t.start + t.size <= at) continue;
      if (t.start >= at + size) break;
      at = t.start + t.size;
    }
    if (at + size <= end) return at;
  }
  return undefined;
}

export interface RangeSources {
  uid: IdRange[];
  gid: IdRange[];
  /** Where they came from, for messages: "/etc/subuid (husk)" or "husk's pool". */
  origin: string;
}

/** The host's subordinate ranges for husk or containers, else husk's pool. */
export function hostRangeSources(subuid = "/etc/subuid", subgid = "/etc/subgid"): RangeSources {
  const read = (p: string) => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return "";
    }
  };
  const [u, g] = [read(subuid), read(subgid)];
  for (const user of SUBID_USERS) {
    const uid = parseSubIds(u, user);
    const gid = parseSubIds(g, user);
    if (uid.length && gid.length) return { uid, gid, origin: `${subuid} and ${subgid} (user ${user})` };
  }
  return { uid: [POOL], gid: [POOL], origin: "husk's id pool" };
}

interface Allocation {
  uid: number;
  gid: number;
  size: number;
}

interface RangesFile {
  version: 1;
  containers: Record<string, Allocation>;
}

const packr = new Packr({ useRecords: false, moreTypes: false });

export function rangesDir(dataRoot: string): string {
  return join(dataRoot, "userns");
}

function withRanges<T>(dataRoot: string, fn: (f: RangesFile) => T): T {
  const dir = rangesDir(dataRoot);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fd = openSync(join(dir, "ranges.lock"), "a", 0o600);
  try {
    addon().flock(fd, true, true);
    const file = join(dir, "ranges.msgpack");
    const state: RangesFile = existsSync(file) ? (packr.unpack(readFileSync(file)) as RangesFile) : { version: 1, containers: {} };
    const out = fn(state);
    writeFileAtomic(file, packr.pack(state));
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Every range handed out (for tests and `system info`). */
export function listRanges(dataRoot: string): Record<string, Allocation> {
  const file = join(rangesDir(dataRoot), "ranges.msgpack");
  return existsSync(file) ? (packr.unpack(readFileSync(file)) as RangesFile).containers : {};
}

/** A fresh range of `size` ids for container `id`, as its uid and gid maps. */
export function allocateRange(dataRoot: string, id: string, size: number, sources: RangeSources = hostRangeSources()): { uid: IdMap[]; gid: IdMap[] } {
  const a = withRanges(dataRoot, (state) => {
    const held = Object.values(state.containers);
    const uid = firstFit(sources.uid, held.map((h) => ({ start: h.uid, size: h.size })), size);
    const gid = firstFit(sources.gid, held.map((h) => ({ start: h.gid, size: h.size })), size);
    if (uid === undefined || gid === undefined)
      throw new HuskError(`--userns auto: no free range of ${size} ids left in ${sources.origin}`, "remove containers that use --userns auto, or give a smaller auto:size=N", 125);
    return (state.containers[id] = { uid, gid, size });
  });
  return { uid: [{ containerID: 0, hostID: a.uid, size }], gid: [{ containerID: 0, hostID: a.gid, size }] };
}

/** Give container `id`'s range back; false when it held none. */
export function releaseRange(dataRoot: string, id: string): boolean {
  if (!existsSync(join(rangesDir(dataRoot), "ranges.msgpack"))) return false;
  return withRanges(dataRoot, (state) => {
    if (!state.containers[id]) return false;
    delete state.containers[id];
    return true;
  });
}
