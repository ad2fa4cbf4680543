// Test cgroups live only under the test process's own cgroup, in every hierarchy.
//
// runc semantics: a relative linux.cgroupsPath is resolved against the runtime's own
// cgroup in each hierarchy (v1 controllers and the unified tree). The runtime is a child
// of the test process, so it starts in the same cgroups, and a relative path from
// ownCgroupParent() lands below the test's own cgroup everywhere.

import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readMounts } from "../../src/storage/mountinfo.ts";

export const CGROUP_ROOT = "/sys/fs/cgroup";

/** One mounted cgroup hierarchy and this process's place in it. */
export interface Hierarchy {
  /** "unified" for cgroup2, else the v1 controller list as in /proc/self/cgroup ("cpu,cpuacct", "name=systemd") */
  name: string;
  /** mount point, e.g. /sys/fs/cgroup/memory */
  mount: string;
  /** this process's cgroup path inside the hierarchy, e.g. /process_api/abc */
  own: string;
  /** absolute directory of the own cgroup: mount + own */
  ownDir: string;
}

interface MountEntry {
  mountPoint: string;
  root: string;
  fstype: string;
  superOptions: string[];
}

function cgroupMounts(): MountEntry[] {
  return readMounts()
    .filter((m) => m.fstype === "cgroup" || m.fstype === "cgroup2")
    .map((m) => ({ root: m.root, mountPoint: m.mountPoint, fstype: m.fstype, superOptions: m.superOptions.split(",") }));
}

/**
 * The hierarchies this process is in, with its own cgroup path in each. Only
 * hierarchies mounted on the host (under /sys/fs/cgroup) are returned.
 */
export function ownHierarchies(): Hierarchy[] {
  const mounts = cgroupMounts();
  const out: Hierarchy[] = [];
  const seen = new Set<string>();
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    if (!line) continue;
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    const id = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1) || "/";
    let mount: MountEntry | undefined;
    let name: string;
    if (id === "0" && controllers === "") {
      name = "unified";
      mount = mounts.find((m) => m.fstype === "cgroup2");
    } else {
      name = controllers;
      const wanted = controllers.split(",");
      mount = mounts.find((m) => m.fstype === "cgroup" && wanted.every((c) => m.superOptions.includes(c)));
    }
    if (!mount || seen.has(mount.mountPoint)) continue;
    seen.add(mount.mountPoint);
    // If the hierarchy is mounted from a sub-cgroup (cgroup namespaces, bind mounts),
    // the path in /proc/self/cgroup is relative to the mount's root.
    let rel = path;
    if (mount.root !== "/" && (rel === mount.root || rel.startsWith(mount.root + "/"))) {
      rel = rel.slice(mount.root.length) || "/";
    }
    out.push({ name, mount: mount.mountPoint, own: path, ownDir: rel === "/" ? mount.mountPoint : join(mount.mountPoint, rel) });
  }
  return out;
}

function sanitize(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[-.]+/, "");
  if (s === "") throw new Error(`ownCgroupParent: name ${JSON.stringify(name)} has no usable characters`);
  return s.slice(0, 80);
}

/**
 * A relative linux.cgroupsPath, unique to this test process and `name`, that runtimes
 * with runc semantics create under the test process's own cgroup in every hierarchy.
 * The same name returns the same path within one process.
 */
export function ownCgroupParent(name: string): string {
  return `husk-test-${process.pid}-${sanitize(name)}`;
}

/** Absolute directories that ownCgroupParent(name) maps to, one per hierarchy. */
export function testCgroupDirs(name: string): string[] {
  const rel = ownCgroupParent(name);
  return ownHierarchies().map((h) => join(h.ownDir, rel));
}

function rmdirTree(dir: string): string[] {
  const failures: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return failures;
    throw err;
  }
  for (const e of entries) {
    const p = join(dir, e);
    try {
      if (statSync(p).isDirectory()) failures.push(...rmdirTree(p));
    } catch {
      // vanished meanwhile
    }
  }
  try {
    rmdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") failures.push(`${dir}: ${code ?? String(err)}`);
  }
  return failures;
}

/**
 * Remove what is left of ownCgroupParent(name) in every hierarchy (children first).
 * Throws when a cgroup cannot be removed (it still has processes, usually), naming it.
 */
export function removeTestCgroups(name: string): void {
  const failures: string[] = [];
  for (const dir of testCgroupDirs(name)) {
    if (existsSync(dir)) failures.push(...rmdirTree(dir));
  }
  if (failures.length > 0) {
    throw new Error(`removeTestCgroups(${JSON.stringify(name)}): could not remove:\n  ${failures.join("\n  ")}`);
  }
}

/** Quote one word for sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Whether a cgroup2 tree is mounted at /sys/fs/cgroup/unified (the hybrid layout). */
export function isHybridHost(): boolean {
  return ownHierarchies().some((h) => h.name === "unified" && h.mount === join(CGROUP_ROOT, "unified"));
}

/**
 * Wrap `argv` so it runs in a private mount namespace with a cgroup view in which crun
 * 1.8 works here and resolves a relative cgroupsPath like runc does:
 *  - on a hybrid host, /sys/fs/cgroup/unified is unmounted (crun 1.8 refuses hybrid);
 *  - every hierarchy where the test process's own cgroup is not the root gets its own
 *    cgroup dir bind-mounted over the hierarchy's mount point (crun treats a relative
 *    cgroupsPath as absolute; this keeps its cgroups below the test's own).
 * Nothing changes in the host's mount namespace. The wrapper costs one unshare + sh
 * exec (+ a mount per bind); measure it with inPrivateCgroupView(["true"]).
 */
export function inPrivateCgroupView(argv: string[]): string[] {
  const steps: string[] = [];
  const hybrid = isHybridHost();
  for (const h of ownHierarchies()) {
    if (h.name === "unified" && hybrid) continue; // unmounted below
    if (h.own !== "/" && h.ownDir !== h.mount) steps.push(`mount -n --bind ${shQuote(h.ownDir)} ${shQuote(h.mount)}`);
  }
  if (hybrid) steps.push(`umount -n ${shQuote(join(CGROUP_ROOT, "unified"))}`);
  steps.push('exec "$@"');
  return ["unshare", "-m", "--propagation", "private", "sh", "-c", steps.join(" && "), "sh", ...argv];
}

/** `crun <args>` through inPrivateCgroupView(). */
export function crunCommand(crunArgs: string[], crunBin = "crun"): string[] {
  return inPrivateCgroupView([crunBin, ...crunArgs]);
}
