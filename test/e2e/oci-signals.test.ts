// A foreground `husk oci run` passes the signals it receives on to the container.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs, makeBundle, ociSpec } from "../fixtures/busybox-rootfs.ts";
import { ownCgroupParent, removeTestCgroups } from "../helpers/cgroup.ts";
import { huskBin, removeTempRoot, tempRoot } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";

let root = "";
let work = "";
let before: HostSnapshot;

beforeAll(() => {
  before = snapshotHost();
  root = tempRoot();
  work = join("/tmp", `husk-test-${process.pid}-signals`);
  mkdirSync(work, { recursive: true });
});

afterAll(() => {
  removeTempRoot(root);
  removeTestCgroups("signals");
  rmSync(work, { recursive: true, force: true });
  assertNoLeaks(before, { root });
});

test("SIGUSR1 and SIGTERM sent to husk reach the container's process", async () => {
  const rootfs = await ensureBusyboxRootfs();
  // Counts USR1s; on TERM prints the count and exits 9. Prints "ready" once its traps are set.
  const script = 'n=0; trap "n=\\$((n+1))" USR1; trap "echo usr1=\\$n; exit 9" TERM; echo ready; while true; do sleep 0.05; done';
  const bundle = makeBundle({ rootfs, dir: join(work, "bundle"), config: ociSpec({ args: ["/bin/sh", "-c", script], cgroupsPath: ownCgroupParent("signals") }) });
  const proc = Bun.spawn([huskBin(), "oci", "--root", root, "run", "--bundle", bundle, "sig"], { stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let out = "";
  while (!out.includes("ready\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  expect(out).toBe("ready\n");
  proc.kill("SIGUSR1");
  await Bun.sleep(300); // the shell runs traps between its 50 ms sleeps; a second signal sent
  // before the first is handled would merge with it (standard signals do not queue)
  proc.kill("SIGTERM");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  expect(await proc.exited).toBe(9);
  expect(out).toBe("ready\nusr1=1\n");
  expect(await new Response(proc.stderr).text()).toBe("");
});
