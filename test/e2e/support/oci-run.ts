// Shared plumbing for the config.json coverage suites: one bundle per test, one --root
// per run, one cgroupsPath per test, and a record of anything husk left behind.

import { afterAll, beforeAll, expect } from "bun:test";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseMountinfo as parseMountEntries } from "../../../src/storage/mountinfo.ts";
import { ensureBusyboxRootfs, makeBundle, ociSpec, type SpecOptions } from "../../fixtures/busybox-rootfs.ts";
import { ownCgroupParent, removeTestCgroups, testCgroupDirs } from "../../helpers/cgroup.ts";
import { huskBin, removeTempRoot, runSync, tempRoot, type RunResult } from "../../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../../helpers/leaks.ts";

export const isRoot = process.getuid?.() === 0;

/** The common environment of one test file. */
export class OciSuite {
  rootfs = "";
  /** Per-file scratch dir (bundles, bind sources, hook scripts). */
  work = "";
  /** Cgroup names handed out by spec(), removed in cleanup(). */
  readonly cgroupNames = new Set<string>();
  /** What a run left behind (state files, cgroups); reported by the file's afterAll. */
  readonly leftovers: string[] = [];
  readonly ids = new Set<string>();

  constructor(readonly tag: string) {}

  /**
   * The usual file-level hooks: set up and snapshot the host before the first test;
   * after the last, `extraCleanup` (if any), then no leftovers, no leaks, cleanup.
   */
  useHooks(extraCleanup?: () => void): void {
    let before: HostSnapshot;
    beforeAll(async () => {
      if (!isRoot) return;
      await this.setup();
      before = snapshotHost({ paths: [this.work] });
    });
    afterAll(() => {
      if (!isRoot) return;
      extraCleanup?.();
      try {
        expect(this.leftovers).toEqual([]);
        assertNoLeaks(before, { paths: [this.work] });
      } finally {
        this.cleanup();
      }
    });
  }

  async setup(): Promise<void> {
    this.rootfs = await ensureBusyboxRootfs();
    this.work = join("/tmp", `husk-test-${process.pid}-${this.tag}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(this.work, { mode: 0o755 });
  }

  /** A fresh dir under work/. */
  dir(name: string): string {
    const d = join(this.work, name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  /** ociSpec() with the test's own cgroupsPath. */
  spec(name: string, opts: Omit<SpecOptions, "cgroupsPath">): Record<string, any> {
    this.cgroupNames.add(name);
    return ociSpec({ ...opts, cgroupsPath: ownCgroupParent(name) }) as Record<string, any>;
  }

  id(name: string): string {
    const id = `cov-${name}-${process.pid}`;
    this.ids.add(id);
    return id;
  }

  /** Write the bundle for `name` (rootfs defaults to the shared busybox rootfs). */
  bundle(name: string, config: object, rootfs = this.rootfs): string {
    return makeBundle({ rootfs, dir: join(this.work, "bundles", name), config });
  }

  /**
   * `husk oci --root R <global> run <runArgs> --bundle B <id>` in the foreground, with a
   * fresh --root that is checked for leftovers and removed afterwards. `wrap` may wrap
   * the argv (e.g. in unshare).
   */
  run(
    name: string,
    config: object,
    opts: { global?: string[]; runArgs?: string[]; rootfs?: string; wrap?: (argv: string[]) => string[]; timeoutMs?: number; stdin?: string } = {},
  ): RunResult & { id: string; bundle: string } {
    const bundle = this.bundle(name, config, opts.rootfs);
    const id = this.id(name);
    const root = tempRoot();
    try {
      const argv = [huskBin(), "oci", "--root", root, ...(opts.global ?? []), "run", ...(opts.runArgs ?? []), "--bundle", bundle, id];
      const res = runSync(opts.wrap ? opts.wrap(argv) : argv, { timeoutMs: opts.timeoutMs ?? 30_000, stdin: opts.stdin });
      return { ...res, id, bundle };
    } finally {
      this.reap(name, id, root);
    }
  }

  /** Record (and clean) what is left of a finished container: state under root, cgroups. */
  reap(name: string, id: string, root: string): void {
    const left = listFiles(root);
    if (left.length > 0) {
      this.leftovers.push(`${name}: state left under --root after the run: ${left.join(", ")}`);
      runSync([huskBin(), "oci", "--root", root, "delete", "--force", id], { timeoutMs: 10_000 });
    }
    const cgs = testCgroupDirs(name).filter((d) => existsSync(d));
    if (cgs.length > 0) this.leftovers.push(`${name}: cgroups left after the run: ${cgs.join(", ")}`);
    try {
      removeTempRoot(root);
    } catch (err) {
      this.leftovers.push(`${name}: ${(err as Error).message}`);
    }
  }

  cleanup(): void {
    const errors: string[] = [];
    for (const n of this.cgroupNames) {
      try {
        removeTestCgroups(n);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (this.work) rmSync(this.work, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(errors.join("\n"));
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        const before = out.length;
        walk(join(d, e.name), r);
        // An empty "containers/" dir is the store's layout, not a container left behind.
        if (out.length === before && r !== "containers") out.push(r + "/");
      } else {
        out.push(r);
      }
    }
  };
  walk(dir, "");
  return out;
}

/** A mountinfo entry with its option lists split, as the assertions want them. */
export interface MountInfo {
  mountPoint: string;
  root: string;
  options: string[];
  optional: string[];
  fstype: string;
  source: string;
  superOptions: string[];
}

/** Parse /proc/self/mountinfo text (husk's own parser) into entries. */
export function parseMountinfo(text: string): MountInfo[] {
  return parseMountEntries(text).map((m) => ({
    mountPoint: m.mountPoint,
    root: m.root,
    options: m.mountOptions.split(","),
    optional: m.optional,
    fstype: m.fstype,
    source: m.source,
    superOptions: m.superOptions.split(","),
  }));
}

/** The last (topmost) mountinfo entry at `mountPoint`. */
export function mountAt(text: string, mountPoint: string): MountInfo | undefined {
  return parseMountinfo(text)
    .filter((m) => m.mountPoint === mountPoint)
    .at(-1);
}

/** Lines of the form `KEY=value` printed by a container script, as a map. */
export function keyValues(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** A tmpfs mount on /tmp, so that tests can make mount points without touching the shared rootfs. */
export const TMP_TMPFS = { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777", "size=16m"] };
