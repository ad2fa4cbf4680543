// husk on a locked-down host: / read-only and /tmp noexec. The test makes such a host in a
// private mount namespace of its own (unshare -m): a bind of /run keeps the state dir
// writable (as the tmpfs /run of such hosts is), then / is remounted read-only and a
// fresh noexec tmpfs covers /tmp. Nothing changes in the host's own mount namespace.
//
// Proves: `husk oci run` works there, with the addon loaded from a memfd; and that the
// place is hostile for real: a binary copied to /tmp does not run, / refuses writes, and
// husk with its memfd path switched off (HUSK_ADDON_NO_MEMFD=1, Bun's /tmp extraction
// only) fails with a one-line error that names both ways and a hint.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs, makeBundle, ociSpec } from "../fixtures/busybox-rootfs.ts";
import { ownCgroupParent, removeTestCgroups, shQuote, testCgroupDirs } from "../helpers/cgroup.ts";
import { huskBin, removeTempRoot, runSync, tempRoot } from "../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";

const isRoot = process.getuid?.() === 0;
const skip = !isRoot || !Bun.which("unshare");
if (skip) console.warn("locked-down host tests skipped: need root and unshare(1)");

let work = "";
let root = "";
let before: HostSnapshot;

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
    const rootfs = await ensureBusyboxRootfs();
    root = tempRoot(); // under /run: writable in the locked-down namespace
    work = join(root, "work");
    mkdirSync(work);
    makeBundle({
      rootfs,
      dir: join(work, "bundle"),
      config: ociSpec({ args: ["/bin/sh", "-c", "echo hello from a locked-down host; cat /proc/self/cgroup >/dev/null"], cgroupsPath: ownCgroupParent("lockdown") }),
    });
    before = snapshotHost({ root: join(root, "state"), paths: [work] });
  });

  afterAll(() => {
    try {
      assertNoLeaks(before, { root: join(root, "state"), paths: [work] });
      expect(testCgroupDirs("lockdown").filter((d) => existsSync(d))).toEqual([]);
    } finally {
      removeTestCgroups("lockdown");
      rmSync(work, { recursive: true, force: true });
      removeTempRoot(root);
    }
  });

  test("the namespace really is locked down: / refuses writes, /tmp refuses exec", () => {
    const r = lockedDown(`touch /husk-rw-probe-$$ 2>&1; cp /bin/true /tmp/true && /tmp/true 2>&1; echo "tmp-exec=$?"`);
    expect(r.stdout).toContain("Read-only file system");
    expect(r.stdout).toMatch(/tmp-exec=126/);
  });

  test("husk oci run works, with the addon loaded from a memfd", () => {
    const husk = shQuote(huskBin());
    const r = lockedDown(
      `${husk} oci --root ${shQuote(join(root, "state"))} run --bundle ${shQuote(join(work, "bundle"))} lockdown-${process.pid}; echo "rc=$?"; ls -A /tmp | sed 's/^/tmp: /'`,
      { HUSK_TRACE: "1" },
    );
    expect(r.stdout).toContain("hello from a locked-down host");
    expect(r.stdout).toContain("rc=0");
    expect(r.stderr).toContain("addon: loaded from a memfd");
    expect(r.stdout).not.toContain("tmp: "); // nothing written to /tmp
  });

  test("without the memfd path, loading fails with one clear line", () => {
    const r = lockedDown(
      `${shQuote(huskBin())} oci --root ${shQuote(join(root, "state"))} run --bundle ${shQuote(join(work, "bundle"))} lockdown-nomemfd-${process.pid}; echo "rc=$?"`,
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
