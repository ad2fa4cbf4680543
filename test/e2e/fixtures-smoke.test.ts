// The fixtures and helpers work on this host without husk: a peer runtime (runc, crun)
// runs the busybox bundle, and the leak checks see nothing left behind.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBusyboxRootfs, makeBundle, ociSpec } from "../fixtures/busybox-rootfs.ts";
import { crunCommand, ownCgroupParent, removeTestCgroups, testCgroupDirs } from "../helpers/cgroup.ts";
import { removeTempRoot, runSync, tempRoot } from "../helpers/husk.ts";
import { assertNoLeaks, findLeaks, snapshotHost } from "../helpers/leaks.ts";
import type { HostSnapshot } from "../helpers/leaks.ts";

const hasRunc = Bun.which("runc") !== null;
const hasCrun = Bun.which("crun") !== null && Bun.which("unshare") !== null;
const isRoot = process.getuid?.() === 0;

let rootfs = "";
let work = "";
let root = "";
let before: HostSnapshot;

beforeAll(async () => {
  rootfs = await ensureBusyboxRootfs();
  work = mkdtempSync(join(tmpdir(), "husk-smoke-"));
  root = tempRoot();
  before = snapshotHost({ root, paths: [work] });
});

afterAll(() => {
  removeTestCgroups("smoke-runc");
  removeTestCgroups("smoke-crun");
  try {
    assertNoLeaks(before, { root, paths: [work] });
  } finally {
    if (root) removeTempRoot(root);
    if (work) rmSync(work, { recursive: true, force: true });
  }
});

describe("busybox rootfs fixture", () => {
  test("has busybox, applet links, users and the usual dirs", () => {
    expect(lstatSync(join(rootfs, "bin/busybox")).isFile()).toBe(true);
    expect(readlinkSync(join(rootfs, "bin/sh"))).toBe("busybox");
    expect(readlinkSync(join(rootfs, "bin/echo"))).toBe("busybox");
    for (const d of ["proc", "sys", "dev", "tmp", "etc", "root", "var/run"]) {
      expect(lstatSync(join(rootfs, d)).isDirectory()).toBe(true);
    }
    expect(lstatSync(join(rootfs, "tmp")).mode & 0o7777).toBe(0o1777);
    const passwd = readFileSync(join(rootfs, "etc/passwd"), "utf8");
    expect(passwd).toContain("root:x:0:0:");
    expect(passwd).toContain("app:x:1000:1000:");
    expect(passwd).toContain("nobody:x:65534:65534:");
    const group = readFileSync(join(rootfs, "etc/group"), "utf8");
    expect(group).toContain("app:x:1000:");
    expect(group).toContain("nobody:x:65534:");
  });

  test("a second call reuses the cache", async () => {
    const again = await ensureBusyboxRootfs();
    expect(again).toBe(rootfs);
  });

  test("makeBundle writes config.json with an absolute root.path", () => {
    const dir = makeBundle({ rootfs, dir: join(work, "b0"), config: ociSpec({ args: ["/bin/true"] }) });
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(config.root).toEqual({ path: rootfs, readonly: true });
    expect(config.process.args).toEqual(["/bin/true"]);
  });
});

describe("peer runtimes run the fixture bundle", () => {
  test.skipIf(!isRoot || !hasRunc)("runc: echo hello", () => {
    const cg = ownCgroupParent("smoke-runc");
    const bundle = makeBundle({
      rootfs,
      dir: join(work, "runc"),
      config: ociSpec({ args: ["/bin/echo", "hello"], cgroupsPath: cg }),
    });
    const res = runSync(["runc", "--root", root, "run", "--bundle", bundle, `smoke-runc-${process.pid}`]);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("hello\n");
    expect(res.exitCode).toBe(0);
    // runc removed its cgroups again, in every hierarchy.
    expect(testCgroupDirs("smoke-runc").filter((d) => existsSync(d))).toEqual([]);
  });

  test.skipIf(!isRoot || !hasCrun)("crun (private cgroup view): echo hello", () => {
    const cg = ownCgroupParent("smoke-crun");
    const bundle = makeBundle({
      rootfs,
      dir: join(work, "crun"),
      config: ociSpec({ args: ["/bin/echo", "hello"], cgroupsPath: cg }),
    });
    const res = runSync(crunCommand(["--root", root, "run", "--bundle", bundle, `smoke-crun-${process.pid}`]));
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("hello\n");
    expect(res.exitCode).toBe(0);
    expect(testCgroupDirs("smoke-crun").filter((d) => existsSync(d))).toEqual([]);
  });

  test.skipIf(!isRoot || !hasRunc)("the container sees its cgroup below the test's own", () => {
    const cg = ownCgroupParent("smoke-runc");
    const bundle = makeBundle({
      rootfs,
      dir: join(work, "runc-cg"),
      config: ociSpec({ args: ["/bin/cat", "/proc/self/cgroup"], cgroupsPath: cg, namespaces: ["pid", "mount", "ipc", "uts"] }),
    });
    const res = runSync(["runc", "--root", root, "run", "--bundle", bundle, `smoke-cg-${process.pid}`]);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const own = readFileSync("/proc/self/cgroup", "utf8").trim().split("\n");
    const inside = res.stdout.trim().split("\n");
    for (const line of own) {
      const [id, ctrl, path] = line.split(":");
      const want = `${id}:${ctrl}:${path === "/" ? "" : path}/${cg}`;
      expect(inside).toContain(want);
    }
  });
});

describe("leak checks", () => {
  test("report a leaked state file, cgroup and process, and nothing once they are gone", async () => {
    const snap = snapshotHost({ root, paths: [work] });
    const name = "smoke-leak";
    const cgDir = testCgroupDirs(name)[0];
    if (cgDir === undefined) throw new Error("no cgroup hierarchy found");
    mkdirSync(cgDir);
    const stateDir = join(root, "leaked-container");
    mkdirSync(stateDir);
    // A process whose command line mentions a test dir.
    const proc = Bun.spawn(["sh", "-c", "read x", join(work, "leaky")], { stdin: "pipe", stdout: "ignore" });
    // spawn can return before the child has exec'd: wait (bounded) for its command line.
    const cmdline = () => {
      try {
        return readFileSync(`/proc/${proc.pid}/cmdline`, "utf8");
      } catch {
        return "";
      }
    };
    for (let i = 0; i < 200 && !cmdline().includes("leaky"); i++) await Bun.sleep(5);
    try {
      const leaks = findLeaks(snap);
      expect(leaks).toContain(`cgroup: ${cgDir}`);
      expect(leaks).toContain(`state file: ${stateDir}/`);
      expect(leaks.some((l) => l.startsWith(`process: pid ${proc.pid} `))).toBe(true);
      expect(leaks).toHaveLength(3);
      expect(() => assertNoLeaks(snap, { settleMs: 0 })).toThrow(/host resources leaked \(3\)/);
    } finally {
      proc.kill("SIGKILL");
      await proc.exited;
      rmSync(stateDir, { recursive: true, force: true });
      removeTestCgroups(name);
    }
    expect(findLeaks(snap)).toEqual([]);
  });
});
