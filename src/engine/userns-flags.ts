// --userns, --uidmap and --gidmap as docker and podman users type them, checked into one
// request. Pure: the allocation of an `auto` range is userns-ranges.ts.
import { badValue } from "./flags/bad-value.ts";
import { HuskError } from "../runtime/errors.ts";

export interface IdMap {
  containerID: number;
  hostID: number;
  size: number;
}

export type UsernsRequest =
  | { mode: "host" }
  /** A fresh range of `size` ids, allocated per container, freed at rm. */
  | { mode: "auto"; size: number }
  /** Ranges given with --uidmap/--gidmap (not allocated: the user owns their choice). */
  | { mode: "maps"; uid: IdMap[]; gid: IdMap[] };

export const AUTO_SIZE = 65536;
const MAX_ID = 2 ** 32 - 1;

/** CONTAINER:HOST:SIZE (podman's --uidmap syntax). */
export function parseIdMap(flag: string, text: string): IdMap {
  const m = /^(\d+):(\d+):(\d+)$/.exec(text);
  if (!m) throw badValue(flag, text, "expected CONTAINER:HOST:SIZE such as 0:100000:65536");
  const [containerID, hostID, size] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (size < 1) throw badValue(flag, text, "SIZE is at least 1");
  if (containerID + size - 1 > MAX_ID || hostID + size - 1 > MAX_ID) throw badValue(flag, text, "the range runs past the largest id (4294967295)");
  return { containerID, hostID, size };
}

function overlaps(a: number, an: number, b: number, bn: number): boolean {
  return a < b + bn && b < a + an;
}

/** The kernel refuses overlapping lines in uid_map; say which flags do it. */
function checkMaps(flag: string, maps: IdMap[]): void {
  for (let i = 0; i < maps.length; i++)
    for (let j = i + 1; j < maps.length; j++) {
      const [a, b] = [maps[i]!, maps[j]!];
      const text = `${b.containerID}:${b.hostID}:${b.size}`;
      if (overlaps(a.containerID, a.size, b.containerID, b.size)) throw badValue(flag, text, `its container ids overlap ${a.containerID}:${a.hostID}:${a.size}`);
      if (overlaps(a.hostID, a.size, b.hostID, b.size)) throw badValue(flag, text, `its host ids overlap ${a.containerID}:${a.hostID}:${a.size}`);
    }
  if (maps.length > 16) throw badValue(flag, `${maps.length} mappings`, "at most 16 (as the kernel allows at most 340 lines, husk keeps it small)");
  if (!maps.some((m) => m.containerID === 0))
    throw badValue(flag, maps.map((m) => `${m.containerID}:${m.hostID}:${m.size}`).join(","), "must map container id 0 (the container's root owns its files)");
}

/** auto[:size=N] (podman also takes uidmapping=/gidmapping= there: not in husk). */
function parseAuto(text: string): number {
  if (text === "auto") return AUTO_SIZE;
  const opts = text.slice(5).split(",");
  let size = AUTO_SIZE;
  for (const o of opts) {
    const m = /^size=(\d+)$/.exec(o);
    if (!m) throw badValue("--userns", text, "auto takes size=N (e.g. auto:size=65536)");
    size = Number(m[1]);
    if (size < 1 || size > 1 << 24) throw badValue("--userns", text, "size is between 1 and 16777216");
  }
  return size;
}

export function parseUsernsFlags(userns: string | undefined, uidmap: string[] = [], gidmap: string[] = []): UsernsRequest {
  const mode = userns ?? "";
  if (mode === "keep-id" || mode.startsWith("keep-id:"))
    throw new HuskError(`--userns ${mode}: keep-id is for rootless podman, and husk runs as root`, "use --userns auto, or --uidmap 0:HOST:SIZE", 125);
  if (gidmap.length && !uidmap.length) throw badValue("--gidmap", gidmap[0]!, "needs --uidmap too");
  if (uidmap.length) {
    if (mode !== "" && mode !== "private") throw badValue("--userns", mode, "conflicts with --uidmap/--gidmap (they make the user namespace)");
    const uid = uidmap.map((t) => parseIdMap("--uidmap", t));
    // As podman: without --gidmap the gids are mapped as the uids.
    const gid = gidmap.length ? gidmap.map((t) => parseIdMap("--gidmap", t)) : uid.map((m) => ({ ...m }));
    checkMaps("--uidmap", uid);
    checkMaps("--gidmap", gid);
    return { mode: "maps", uid, gid };
  }
  if (mode === "" || mode === "host") return { mode: "host" };
  if (mode === "auto" || mode.startsWith("auto:")) return { mode: "auto", size: parseAuto(mode) };
  throw badValue("--userns", mode, "expected host, auto[:size=N] (or --uidmap/--gidmap CONTAINER:HOST:SIZE)");
}

/** What `inspect` shows as HostConfig.UsernsMode. */
export function usernsModeText(req: UsernsRequest): string {
  return req.mode === "host" ? "" : req.mode === "auto" ? (req.size === AUTO_SIZE ? "auto" : `auto:size=${req.size}`) : "private";
}

/** The host id that container id `id` is, or undefined when unmapped. */
export function hostIdOf(maps: readonly IdMap[], id: number): number | undefined {
  const m = maps.find((x) => id >= x.containerID && id < x.containerID + x.size);
  return m ? m.hostID + (id - m.containerID) : undefined;
}

