// Host leak checks: take a snapshot before a test, assert that nothing new is left after.
//
// Compared:
//   mounts     /proc/self/mountinfo entries that mention "husk" or one of the test paths
//   cgroups    directories below the test process's own cgroup in every hierarchy
//   links      /sys/class/net
//   netns      /var/run/netns
//   processes  comm "husk-core", or a cmdline that mentions one of the test paths
//   state      files under the --root given to assertNoLeaks
//
// Only what is new since the snapshot counts. Several test processes may share a host:
// resources tagged for another live test process (husk-test-<pid>-..., the names that
// tempRoot() and ownCgroupParent() use) are not reported. Kernel teardown is partly
// asynchronous (a veth goes away some time after its netns), so the check polls until
// `settleMs` has passed before failing.

import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import type { Dirent } from "node:fs";
import { join, resolve } from "node:path";
import { parseMountinfo } from "../../src/storage/mountinfo.ts";
import { ownHierarchies } from "./cgroup.ts";

export interface SnapshotOptions {
  /** The --root state dir under test (its files are part of the snapshot). */
  root?: string;
  /** More dirs whose mention in mountinfo or in a cmdline counts as the test's (bundles, rootfs copies). */
  paths?: string[];
}

export interface HostSnapshot {
  readonly mounts: ReadonlySet<string>;
  readonly cgroups: ReadonlySet<string>;
  readonly links: ReadonlySet<string>;
  readonly netns: ReadonlySet<string>;
  readonly processes: ReadonlySet<string>;
  readonly root: string | undefined;
  readonly rootFiles: ReadonlySet<string>;
  readonly paths: readonly string[];
}

export interface LeakCheckOptions {
  /** The --root state dir; anything under it that was not there at snapshot time is a leak. */
  root?: string;
  /** Extra test paths (added to the snapshot's) for the mount and process checks. */
  paths?: string[];
  /** How long to wait for asynchronous kernel cleanup before failing (default 3000 ms). */
  settleMs?: number;
  /** Return true for an entry that is known and fine (entries look like "mount: ..."). */
  ignore?: (entry: string) => boolean;
}

const NETNS_DIR = "/var/run/netns";
const NET_DIR = "/sys/class/net";

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function mentionsTest(text: string, paths: readonly string[]): boolean {
  if (/husk/i.test(text)) return true;
  return paths.some((p) => text.includes(p));
}

function collectMounts(paths: readonly string[]): Set<string> {
  const out = new Set<string>();
  let text = "";
  try {
    text = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return out;
  }
  for (const m of parseMountinfo(text)) {
    // Identify a mount by what it is, not by its id: mount point, root, type, source.
    const entry = `${m.mountPoint} (type ${m.fstype}, source ${m.source}, root ${m.root})`;
    if (mentionsTest(entry, paths)) out.add(entry);
  }
  return out;
}

function walkDirs(dir: string, out: Set<string>, depth: number): void {
  if (depth > 32) return;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const p = join(dir, e.name);
    out.add(p);
    walkDirs(p, out, depth + 1);
  }
}

function collectCgroups(): Set<string> {
  const out = new Set<string>();
  for (const h of ownHierarchies()) walkDirs(h.ownDir, out, 0);
  return out;
}

function collectNetns(): Set<string> {
  return new Set(safeReaddir(NETNS_DIR));
}

function collectLinks(): Set<string> {
  return new Set(safeReaddir(NET_DIR));
}

function ancestors(): Set<number> {
  const out = new Set<number>([process.pid]);
  let pid = process.pid;
  for (let i = 0; i < 64 && pid > 1; i++) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!Number.isFinite(ppid) || ppid <= 0) break;
      out.add(ppid);
      pid = ppid;
    } catch {
      break;
    }
  }
  return out;
}

function collectProcesses(paths: readonly string[]): Set<string> {
  const out = new Set<string>();
  const skip = ancestors();
  for (const name of safeReaddir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (skip.has(pid)) continue;
    let comm = "";
    let cmdline = "";
    let starttime = "";
    try {
      comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0+$/, "").replace(/\0/g, " ");
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // A zombie has exited; orphans wait here until PID 1 reaps them (1-2 s on our VMs).
      if (fields[0] === "Z") continue;
      starttime = fields[19] ?? "";
    } catch {
      continue; // exited meanwhile, or a kernel thread without cmdline
    }
    const matched = comm === "husk-core" || (paths.length > 0 && paths.some((p) => cmdline.includes(p)));
    if (!matched) continue;
    // The start time keeps a reused pid from looking like the same process.
    out.add(`pid ${pid} start ${starttime} comm ${comm}: ${cmdline.slice(0, 300)}`);
  }
  return out;
}

function collectRootFiles(root: string | undefined): Set<string> {
  const out = new Set<string>();
  if (!root || !existsSync(root)) return out;
  const walk = (dir: string, depth: number) => {
    if (depth > 32) return;
    for (const e of safeReaddir(dir)) {
      const p = join(dir, e);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      out.add(st.isDirectory() ? p + "/" : p);
      if (st.isDirectory()) walk(p, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

function normPaths(paths: readonly (string | undefined)[]): string[] {
  return [...new Set(paths.filter((p): p is string => typeof p === "string" && p !== "").map((p) => resolve(p)))];
}

/** Record the host state that a test could leak. */
export function snapshotHost(opts: SnapshotOptions = {}): HostSnapshot {
  const root = opts.root ? resolve(opts.root) : undefined;
  const paths = normPaths([root, ...(opts.paths ?? [])]);
  return {
    mounts: collectMounts(paths),
    cgroups: collectCgroups(),
    links: collectLinks(),
    netns: collectNetns(),
    processes: collectProcesses(paths),
    root,
    rootFiles: collectRootFiles(root),
    paths,
  };
}

/** True when `entry` names a resource tagged for another test process that is still alive. */
function belongsToOtherTest(entry: string): boolean {
  for (const m of entry.matchAll(/husk-test-(\d+)-/g)) {
    const pid = Number(m[1]);
    if (pid !== process.pid && existsSync(`/proc/${pid}`)) return true;
  }
  return false;
}

/** What is new since `before`, as a list of "kind: what" lines (empty when clean). */
export function findLeaks(before: HostSnapshot, opts: LeakCheckOptions = {}): string[] {
  const root = opts.root ? resolve(opts.root) : before.root;
  const paths = normPaths([...before.paths, root, ...(opts.paths ?? [])]);
  const leaks: string[] = [];
  const diff = (kind: string, was: ReadonlySet<string>, now: Set<string>) => {
    for (const e of now) if (!was.has(e)) leaks.push(`${kind}: ${e}`);
  };
  diff("mount", before.mounts, collectMounts(paths));
  diff("cgroup", before.cgroups, collectCgroups());
  diff("link", before.links, collectLinks());
  diff("netns", before.netns, collectNetns());
  diff("process", before.processes, collectProcesses(paths));
  const wasFiles = root !== undefined && root === before.root ? before.rootFiles : new Set<string>();
  diff("state file", wasFiles, collectRootFiles(root));
  return leaks.filter((e) => !belongsToOtherTest(e) && !(opts.ignore?.(e) ?? false)).sort();
}

/**
 * Throw if anything leaked since `before`, listing exactly what. Polls for up to
 * `settleMs` (default 3 s) first, because some kernel cleanup is asynchronous.
 */
export function assertNoLeaks(before: HostSnapshot, opts: LeakCheckOptions = {}): void {
  const deadline = Date.now() + (opts.settleMs ?? 3000);
  let leaks = findLeaks(before, opts);
  while (leaks.length > 0 && Date.now() < deadline) {
    Bun.sleepSync(50);
    leaks = findLeaks(before, opts);
  }
  if (leaks.length > 0) {
    throw new Error(`host resources leaked (${leaks.length}):\n  ${leaks.join("\n  ")}`);
  }
}
