// podman in tests and benchmarks on this host: a private store under the test's own dir,
// the cgroupfs manager and file events (no systemd, no journald), and rlimits within the
// sandbox's hard limits (it lacks CAP_SYS_RESOURCE, so podman's defaults fail).
import { readdirSync, rmdirSync } from "node:fs";
import { mountsAtOrUnder } from "../../src/storage/mountinfo.ts";
import { type RunResult, runSync } from "./husk.ts";

export const PODMAN_ULIMITS = ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=1000:1000"];

export interface PodmanOptions {
  runtime?: string;
  /** vfs needs no mounts of its own; the default is podman's (overlay) */
  storageDriver?: string;
}

/** podman's argv prefix for a private store under `store`. */
export function podmanArgv(store: string, opts: PodmanOptions = {}): string[] {
  return [
    "podman", "--root", `${store}/root`, "--runroot", `${store}/run`, "--cgroup-manager=cgroupfs", "--events-backend=file",
    ...(opts.storageDriver ? [`--storage-driver=${opts.storageDriver}`] : []),
    ...(opts.runtime ? ["--runtime", opts.runtime] : []),
  ];
}

/** A runner for podman commands in that store (two minutes each at most). */
export function podmanIn(store: string, opts: PodmanOptions = {}): (...args: string[]) => RunResult {
  const base = podmanArgv(store, opts);
  return (...args) => runSync([...base, ...args], { timeoutMs: 120_000 });
}

/** Unmounts (lazily, deepest first) whatever is mounted at or below `dir`; returns the mount points. */
export function unmountBelow(dir: string): string[] {
  const points = mountsAtOrUnder(dir)
    .map((m) => m.mountPoint)
    .sort((a, b) => b.length - a.length);
  for (const p of points) runSync(["umount", "-l", p]);
  return points;
}

/** podman's cgroupfs manager makes `libpod_parent` (and `libpod_parent/conmon`) at the top
 * of each hierarchy and never removes them. Lists them, so a suite can remove the ones it
 * caused (`removePodmanCgroups(before)`). */
export function podmanCgroups(): string[] {
  const out: string[] = [];
  // It sits at the top of a hierarchy, or below the caller's own cgroup where the
  // hierarchy nests us (memory here): look four levels down, not inside what it finds.
  const walk = (dir: string, depth: number) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return;
    }
    for (const name of entries) {
      if (name === "libpod_parent") out.push(`${dir}/${name}`);
      else if (depth < 4 && !name.startsWith("husk-")) walk(`${dir}/${name}`, depth + 1);
    }
  };
  walk("/sys/fs/cgroup", 1);
  return out;
}

/** Removes (empty, deepest first) the libpod_parent trees that were not there `before`. */
export function removePodmanCgroups(before: readonly string[]): void {
  const removeTree = (dir: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) removeTree(`${dir}/${e}`);
    try {
      rmdirSync(dir);
    } catch {}
  };
  for (const dir of podmanCgroups()) if (!before.includes(dir)) removeTree(dir);
}
