// dist/husk copied alone into an empty directory (no node_modules, no build tree) must
// work: the addon and husk-core are embedded.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs, makeBundle, ociSpec } from "../fixtures/busybox-rootfs.ts";
import { ownCgroupParent, removeTestCgroups } from "../helpers/cgroup.ts";
import { huskBin, removeTempRoot, runSync, tempRoot } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost } from "../helpers/leaks.ts";

const dir = mkdtempSync("/tmp/husk-alone-");
const lone = join(dir, "husk");
let root = "";
let before: ReturnType<typeof snapshotHost>;

beforeAll(() => {
  before = snapshotHost();
  copyFileSync(huskBin(), lone);
  root = tempRoot();
});

afterAll(() => {
  removeTempRoot(root);
  removeTestCgroups("alone");
  rmSync(dir, { recursive: true, force: true });
  assertNoLeaks(before, { root });
});

test("--version names the version, the commit and the kernel features", () => {
  expect(statSync(lone).mode & 0o111).not.toBe(0);
  const r = runSync([lone, "--version"], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toMatch(/^husk version \d+\.\d+\.\d+/);
  expect(r.stdout).toMatch(/\ncommit: [0-9a-f]{7,}/);
  for (const feature of ["cgroup: (v2|hybrid|v1)", "overlay: (yes|no)", "clone3: (yes|no)", "seccomp: (yes|no)", "user namespaces: (yes|no)"])
    expect(r.stdout).toMatch(new RegExp(`\\n${feature}\\n`));
});

test("runs a container from an empty directory with a bare environment", async () => {
  const rootfs = await ensureBusyboxRootfs();
  const bundle = makeBundle({ rootfs, dir: join(dir, "bundle"), config: ociSpec({ args: ["/bin/echo", "alone"], cgroupsPath: ownCgroupParent("alone") }) });
  const r = runSync([lone, "oci", "--root", root, "run", "--bundle", bundle, "alone"], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe("alone\n");
  expect(r.exitCode).toBe(0);
});
