// husk-core is born in the container's v1 cgroups only for the moment of clone (so the
// kernel's slow path for moving another process is never taken) and steps back out:
// the container is in its cgroups, husk-core in the caller's.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs, makeBundle, ociSpec } from "../fixtures/busybox-rootfs.ts";
import { ownCgroupParent, removeTestCgroups } from "../helpers/cgroup.ts";
import { huskBin, removeTempRoot, runSync, tempRoot } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";

let root = "";
let work = "";
let before: HostSnapshot;
const cgroupLines = (pid: number | "self") =>
  readFileSync(`/proc/${pid}/cgroup`, "utf8").trim().split("\n").filter((l) => !l.startsWith("0::")).sort();

beforeAll(() => {
  before = snapshotHost();
  root = tempRoot();
  work = join("/tmp", `husk-test-${process.pid}-placement-${Date.now()}`);
  mkdirSync(work);
});

afterAll(() => {
  removeTempRoot(root);
  removeTestCgroups("core-placement");
  rmSync(work, { recursive: true, force: true });
  assertNoLeaks(before, { root });
});

test("the container is in its cgroups; the foreground husk-core is back in the caller's", async () => {
  const rootfs = await ensureBusyboxRootfs();
  const cgroupsPath = ownCgroupParent("core-placement");
  const bundle = makeBundle({ rootfs, dir: join(work, "bundle"), config: ociSpec({ args: ["/bin/sleep", "30"], cgroupsPath }) });
  const run = Bun.spawn([huskBin(), "oci", "--root", root, "run", "--bundle", bundle, "placed"], { stdout: "pipe", stderr: "pipe" });
  try {
    let pid = 0;
    for (let i = 0; i < 400 && !pid; i++) {
      const st = runSync([huskBin(), "oci", "--root", root, "state", "placed"]);
      if (st.exitCode === 0 && JSON.parse(st.stdout).status === "running") pid = JSON.parse(st.stdout).pid;
      else await Bun.sleep(10);
    }
    expect(pid).toBeGreaterThan(0);
    const ppid = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
    expect(readFileSync(`/proc/${ppid}/comm`, "utf8").trim()).toBe("husk-core");
    for (const line of cgroupLines(pid)) expect(line.endsWith(`/${cgroupsPath}`)).toBe(true);
    expect(cgroupLines(ppid)).toEqual(cgroupLines("self"));
    expect(existsSync(`/proc/${ppid}`)).toBe(true);
  } finally {
    runSync([huskBin(), "oci", "--root", root, "kill", "placed", "KILL"]);
    expect(await run.exited).toBe(137);
  }
});
