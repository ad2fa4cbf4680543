// Where a container's cgroups go. A relative linux.cgroupsPath is taken relative to the
// runtime's own cgroup in each hierarchy (as runc's cgroupfs driver does); an absolute
// one from the hierarchy's root. Only directories are computed here; husk-core creates
// and joins them.
import { existsSync, readFileSync } from "node:fs";
import { unescapeMountField as unescapeMount } from "../storage/mountinfo.ts";
import { HuskError } from "./errors.ts";

export interface Hierarchy {
  /** Controllers (or name=...) of a v1 hierarchy; empty for the unified one. */
  controllers: string[];
  mountPoint: string;
  /** Our own cgroup inside this hierarchy, from /proc/self/cgroup. */
  ownPath: string;
  unified: boolean;
}

export interface HostCgroups {
  hierarchies: Hierarchy[];
}

export interface ProcSource {
  mounts: string; // /proc/self/mounts
  cgroup: string; // /proc/self/cgroup
}

let cached: HostCgroups | undefined;

export function hostCgroups(src?: ProcSource): HostCgroups {
  if (!src && cached) return cached;
  const mounts = src?.mounts ?? readFileSync("/proc/self/mounts", "utf8");
  const own = src?.cgroup ?? readFileSync("/proc/self/cgroup", "utf8");
  const ownByKey = new Map<string, string>();
  for (const line of own.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (m) ownByKey.set(m[2] ?? "", m[3] ?? "/");
  }
  const hierarchies: Hierarchy[] = [];
  for (const line of mounts.split("\n")) {
    const [, mountPoint, type, opts] = line.split(" ");
    if (!mountPoint || !opts) continue;
    if (type === "cgroup2") {
      hierarchies.push({ controllers: [], mountPoint: unescapeMount(mountPoint), ownPath: ownByKey.get("") ?? "/", unified: true });
    } else if (type === "cgroup") {
      const names = opts.split(",").filter((o) => !["rw", "ro", "nosuid", "nodev", "noexec", "relatime", "noatime", "xattr", "clone_children", "cpuset_v2_mode"].includes(o) && !o.startsWith("release_agent="));
      const key = [...ownByKey.keys()].find((k) => sameSet(k.split(","), names));
      if (key === undefined) continue; // a hierarchy we are not part of
      hierarchies.push({ controllers: names, mountPoint: unescapeMount(mountPoint), ownPath: ownByKey.get(key) ?? "/", unified: false });
    }
  }
  const result = { hierarchies };
  if (!src) cached = result;
  return result;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** "v2", "hybrid" (v1 controllers plus a cgroup2 mount), "v1", or "none", from the
 * hierarchies we are part of (no extra syscalls on the create path). */
export function cgroupMode(host: HostCgroups = hostCgroups()): "v2" | "hybrid" | "v1" | "none" {
  const v2 = host.hierarchies.some((h) => h.unified);
  const v1 = host.hierarchies.some((h) => !h.unified);
  return v2 && v1 ? "hybrid" : v2 ? "v2" : v1 ? "v1" : "none";
}

/** The hierarchy a cgroup directory lives in (longest mount point that contains it). */
export function hierarchyOf(dir: string, host: HostCgroups = hostCgroups()): Hierarchy | undefined {
  let best: Hierarchy | undefined;
  for (const h of host.hierarchies)
    if ((dir === h.mountPoint || dir.startsWith(`${h.mountPoint}/`)) && (!best || h.mountPoint.length > best.mountPoint.length)) best = h;
  return best;
}

/** Our own cgroup directory in the hierarchy of each of `dirs`, or undefined if one is unknown. */
export function ownDirsFor(dirs: readonly string[], host: HostCgroups = hostCgroups()): string[] | undefined {
  const out: string[] = [];
  for (const d of dirs) {
    const h = hierarchyOf(d, host);
    if (!h) return undefined;
    out.push(joinPath(h.mountPoint, h.ownPath));
  }
  return out;
}

/** The directory among `dirs` whose hierarchy carries `controller` (v1). */
export function dirForController(dirs: readonly string[], controller: string, host = hostCgroups()): string | undefined {
  return dirs.find((d) => hierarchyOf(d, host)?.controllers.includes(controller));
}

export interface ResolvedCgroups {
  dirs: string[];
  /** Our own cgroup in each v1 hierarchy, parallel to dirs (husk-core returns there). */
  returnDirs: string[];
  v2Dir?: string;
  /** Directories that do not exist yet (shallowest first): husk-core will create them. */
  missing: string[];
}

export function resolveCgroupsPath(cgroupsPath: string | undefined, id: string, host = hostCgroups()): ResolvedCgroups {
  const path = cgroupsPath && cgroupsPath.length > 0 ? cgroupsPath : id;
  if (path.includes(":"))
    throw new HuskError(
      `linux.cgroupsPath "${path}" looks like a systemd slice:prefix:name path`,
      "husk manages cgroupfs directly; use a path such as /machine/ctr or drop --systemd-cgroup",
    );
  if (path.split("/").includes("..")) throw new HuskError(`linux.cgroupsPath "${path}": must not contain ".."`);
  const dirs: string[] = [];
  const returnDirs: string[] = [];
  let v2Dir: string | undefined;
  const missing: string[] = [];
  for (const h of host.hierarchies) {
    const base = path.startsWith("/") ? h.mountPoint : joinPath(h.mountPoint, h.ownPath);
    const dir = joinPath(base, path);
    collectMissing(h.mountPoint, dir, missing);
    if (h.unified) v2Dir = dir;
    else {
      dirs.push(dir);
      returnDirs.push(joinPath(h.mountPoint, h.ownPath));
    }
  }
  return { dirs, returnDirs, v2Dir, missing };
}

function joinPath(a: string, b: string): string {
  const joined = `${a}/${b}`.replace(/\/+/g, "/");
  return joined.length > 1 ? joined.replace(/\/$/, "") : joined;
}

function collectMissing(mountPoint: string, dir: string, out: string[]): void {
  const chain: string[] = [];
  for (let d = dir; d.length > mountPoint.length; d = d.slice(0, d.lastIndexOf("/"))) {
    if (existsSync(d)) break;
    chain.unshift(d);
  }
  out.push(...chain);
}
