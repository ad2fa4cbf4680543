// husk on a locked-down host: / read-only and /tmp noexec. The test makes such a host in a
// private mount namespace of its own (unshare -m): a bind of /run keeps the state dir
// writable (as the tmpfs /run of such hosts is), then / is remounted read-only and a
// fresh noexec tmpfs covers /tmp. Nothing changes in the host's own mount namespace.
//
// Proves: `husk oci run` works there, with the addon loaded from a memfd; the engine face
// too (`husk image import` then `husk run --rm`, --root/--data-root on a writable tmpfs,
// as such hosts give one); and that the
// place is hostile for real: a binary copied to /tmp does not run, / refuses writes, and
// husk with its memfd path switched off (HUSK_ADDON_NO_MEMFD=1, Bun's /tmp extraction
// only) fails with a one-line error that names both ways and a hint.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs, makeBundle, ociSpec } from "../fixtures/busybox-rootfs.ts";
import { ownCgroupParent, removeTestCgroups, shQuote, testCgroupDirs } from "../helpers/cgroup.ts";
import { huskBin, REPO_ROOT, removeTempRoot, runSync, tempRoot } from "../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";

const isRoot = process.getuid?.() === 0;
const skip = !isRoot || !Bun.which("unshare");
if (skip) console.warn("locked-down host tests skipped: need root and unshare(1)");

let work = "";
let root = "";
let before: HostSnapshot;
let imageTar = "";
// The binary as the locked-down namespace sees it: a clone under /tmp (CI may clone there)
// would vanish under the fresh tmpfs, so the test runs a copy kept on the root filesystem.
let huskCopy = "";
let copyDir = "";

/** Runs `inner` (sh) inside a fresh mount namespace that looks like a locked-down host. */
function lockedDown(inner: string, env: Record<string, string> = {}) {
  const script = [
    "set -e",
    "mount --bind /run /run", // stays writable once / is read-only
    "mount -o remount,bind,ro /",
    "mount -t tmpfs -o noexec,nosuid,nodev,mode=1777 tmpfs /tmp",
    "set +e",
    inner,
  ].join("\n");
  return runSync(["unshare", "-m", "--propagation", "private", "sh", "-c", script], { env, timeoutMs: 60_000 });
}

describe.skipIf(skip)("read-only root, noexec /tmp", () => {
  beforeAll(async () => {
    root = tempRoot(); // under /run: writable in the locked-down namespace
    work = join(root, "work");
    mkdirSync(work);
    // A rootfs of the bundle's own, not the shared fixture: a clone under /tmp is hidden there.
    const rootfs = await ensureBusyboxRootfs(join(work, "bundle", "rootfs"));
    makeBundle({
      rootfs,
      dir: join(work, "bundle"),
      config: ociSpec({ args: ["/bin/sh", "-c", "echo hello from a locked-down host; cat /proc/self/cgroup >/dev/null"], cgroupsPath: ownCgroupParent("lockdown") }),
    });
    // the README demo's image: busybox-static as a rootfs tarball
    const img = runSync([join(REPO_ROOT, "node_modules/.bin/bun"), "packaging/demo-image.ts", join(work, "image")], { cwd: REPO_ROOT, timeoutMs: 120_000 });
    if (img.exitCode !== 0) throw new Error(`demo-image.ts: ${img.stderr}`);
    imageTar = img.stdout.trim();
    mkdirSync(join(work, "engine"));
    copyDir = mkdtempSync(`/var/tmp/husk-test-${process.pid}-bin-`);
    huskCopy = join(copyDir, "husk");
    copyFileSync(huskBin(), huskCopy);
    chmodSync(huskCopy, 0o755);
    before = snapshotHost({ root: join(root, "state"), paths: [work] });
  });

  afterAll(() => {
    try {
      // the engine's containers removed their own cgroups below their parent, which stays
      for (const d of testCgroupDirs("lockdown-engine").filter((p) => existsSync(p))) {
        expect(readdirSync(d).filter((n) => statSync(join(d, n)).isDirectory())).toEqual([]);
      }
      removeTestCgroups("lockdown-engine");
      assertNoLeaks(before, { root: join(root, "state"), paths: [work] });
      expect(testCgroupDirs("lockdown").filter((d) => existsSync(d))).toEqual([]);
    } finally {
      removeTestCgroups("lockdown");
      removeTestCgroups("lockdown-engine");
      rmSync(work, { recursive: true, force: true });
      if (copyDir) rmSync(copyDir, { recursive: true, force: true });
      removeTempRoot(root);
    }
  });

  test("the namespace really is locked down: / refuses writes, /tmp refuses exec", () => {
    const r = lockedDown(`touch /husk-rw-probe-$$ 2>&1; cp /bin/true /tmp/true && /tmp/true 2>&1; echo "tmp-exec=$?"`);
    expect(r.stdout).toContain("Read-only file system");
    expect(r.stdout).toMatch(/tmp-exec=126/);
  });

  test("husk oci run works, with the addon loaded from a memfd", () => {
    const husk = shQuote(huskCopy);
    const r = lockedDown(
      `${husk} oci --root ${shQuote(join(root, "state"))} run --bundle ${shQuote(join(work, "bundle"))} lockdown-${process.pid}; echo "rc=$?"; ls -A /tmp | sed 's/^/tmp: /'`,
      { HUSK_TRACE: "1" },
    );
    expect(r.stdout).toContain("hello from a locked-down host");
    expect(r.stdout).toContain("rc=0");
    expect(r.stderr).toContain("addon: loaded from a memfd");
    expect(r.stdout).not.toContain("tmp: "); // nothing written to /tmp
  });

  test("husk image import and husk run --rm work, with --root/--data-root on a tmpfs", () => {
    const husk = shQuote(huskCopy);
    const d = shQuote(join(work, "engine"));
    const flags = `--root ${d}/run --data-root ${d}/data`;
    const r = lockedDown(
      [
        `mount -t tmpfs -o mode=0700 tmpfs ${d} || exit 1`,
        `${husk} image import --data-root ${d}/data --change 'ENV PATH=/bin' ${shQuote(imageTar)} lockdown/busybox:1 >/dev/null; echo "import=$?"`,
        `${husk} run ${flags} --rm --network none --cgroup-parent ${shQuote(ownCgroupParent("lockdown-engine"))} lockdown/busybox:1 sh -c 'echo engine on a locked-down host; touch /written-in-container && echo rw-upper'; echo "rc=$?"`,
        `echo "left=$(${husk} ps ${flags} -aq | wc -l)"`,
        // what husk mounted below the tmpfs (the snapshot, the netns) is gone again
        `awk -v d=${d} 'index($5, d "/") == 1 { print "mounted: " $5 }' /proc/self/mountinfo`,
        `ls -A /tmp | sed 's/^/tmp: /'`,
      ].join("\n"),
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("import=0\nengine on a locked-down host\nrw-upper\nrc=0\nleft=0\n");
  });

  test("without the memfd path, loading fails with one clear line", () => {
    const r = lockedDown(
      `${shQuote(huskCopy)} oci --root ${shQuote(join(root, "state"))} run --bundle ${shQuote(join(work, "bundle"))} lockdown-nomemfd-${process.pid}; echo "rc=$?"`,
      { HUSK_ADDON_NO_MEMFD: "1" },
    );
    expect(r.stdout).toMatch(/rc=[1-9]/);
    expect(r.stderr).toContain("loading the embedded addon husk_core.node failed");
    expect(r.stderr).toContain("failed to map segment"); // Bun's /tmp copy cannot be mapped executable
    expect(r.stderr).toContain("hint:");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stdout).not.toContain("hello from a locked-down host");
  });
});
