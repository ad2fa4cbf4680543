// podman and containerd drive husk as their OCI runtime, exactly as they drive runc.
// Each gets a private store under a temp dir; the image is the busybox fixture imported
// locally (no registry, no network).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../fixtures/busybox-rootfs.ts";
import { huskBin, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost } from "../helpers/leaks.ts";
import { PODMAN_ULIMITS, podmanCgroups, podmanIn, removePodmanCgroups, unmountBelow } from "../helpers/podman.ts";

const have = (cmd: string) => runSync(["sh", "-c", `command -v ${cmd}`]).exitCode === 0;
const work = mkdtempSync("/tmp/husk-clients-");
const runtime = join(work, "husk-oci");
const image = "localhost/husk-bb:1";
let before: ReturnType<typeof snapshotHost>;
// podman's own parent cgroups, to remove the ones this suite makes.
const podmanCgroupsBefore = podmanCgroups();
// podman does not pass --root to a runtime it does not know, so husk uses its default
// (/run/husk), as runc would use /run/runc. It must be empty again afterwards.
const DEFAULT_ROOT = "/run/husk";
const defaultRootExisted = existsSync(DEFAULT_ROOT);

beforeAll(async () => {
  before = snapshotHost();
  symlinkSync(huskBin(), runtime);
  const rootfs = await ensureBusyboxRootfs();
  const tar = runSync(["tar", "-C", rootfs, "-cf", join(work, "bb.tar"), "."]);
  expect(tar.exitCode).toBe(0);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (!defaultRootExisted && existsSync(DEFAULT_ROOT)) rmdirSync(DEFAULT_ROOT); // throws if anything was left in it
  removePodmanCgroups(podmanCgroupsBefore);
  assertNoLeaks(before);
});

describe.skipIf(!have("podman"))("podman --runtime husk", () => {
  const store = () => join(work, "podman");
  const podman = (args: string[]) => podmanIn(store(), { storageDriver: "vfs", runtime })(...args);

  afterAll(() => {
    podman(["rm", "-af"]);
    podman(["rmi", "-af"]);
    runSync(["umount", "-R", `${store()}/root`]);
  });

  test("run --rm prints the container's output and exit code", () => {
    expect(podman(["import", join(work, "bb.tar"), image]).exitCode).toBe(0);
    const r = podman(["run", "--rm", "--network", "none", ...PODMAN_ULIMITS, image, "/bin/sh", "-c", "echo hello-podman; hostname; exit 3"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")[0]).toBe("hello-podman");
    expect(r.exitCode).toBe(3);
  });

  test("detached run, exec, stop and rm", () => {
    const run = podman(["run", "-d", "--name", "husk-pd", "--network", "none", ...PODMAN_ULIMITS, image, "/bin/sleep", "300"]);
    expect(run.exitCode).toBe(0);
    const exec = podman(["exec", "husk-pd", "/bin/sh", "-c", "echo from-exec; cat /proc/1/cmdline"]);
    expect(exec.stdout).toBe("from-exec\n/bin/sleep\u0000300\u0000");
    expect(exec.exitCode).toBe(0);
    expect(podman(["stop", "-t", "1", "husk-pd"]).exitCode).toBe(0);
    expect(podman(["rm", "husk-pd"]).exitCode).toBe(0);
  });
});

describe.skipIf(!have("containerd") || !have("ctr"))("ctr run --runc-binary husk", () => {
  const dir = join(work, "containerd");
  const sock = join(dir, "containerd.sock");
  let daemon: ReturnType<typeof Bun.spawn> | undefined;
  const ctr = (args: string[]) => runSync(["ctr", "-a", sock, ...args], { timeoutMs: 120_000 });

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "config.toml"), [
      "version = 2", `root = "${dir}/root"`, `state = "${dir}/state"`,
      "[grpc]", `  address = "${sock}"`, "[ttrpc]", `  address = "${sock}.ttrpc"`,
      '[plugins."io.containerd.grpc.v1.cri"]', "  disable_tcp_service = true", "",
    ].join("\n"));
    daemon = Bun.spawn(["containerd", "--config", join(dir, "config.toml")], { stdout: "ignore", stderr: "ignore" });
    for (let i = 0; i < 200 && !existsSync(sock); i++) await Bun.sleep(25);
    expect(existsSync(sock)).toBe(true);
  });

  afterAll(async () => {
    ctr(["tasks", "kill", "-s", "KILL", "husk-ctr-d"]);
    ctr(["containers", "rm", "husk-ctr-d"]);
    daemon?.kill("SIGTERM");
    await daemon?.exited;
    unmountBelow(dir);
    rmSync("/run/containerd/runc/husk-test", { recursive: true, force: true });
  });

  test("run --rm: output and exit status come back through the shim", () => {
    // ctr imports image archives: wrap the rootfs in a one-layer OCI layout.
    const layout = runSync([process.execPath, join(import.meta.dir, "support/oci-layout.ts"), join(work, "bb.tar"), join(work, "bb-oci.tar"), image]);
    expect(layout.stderr).toBe("");
    expect(ctr(["-n", "husk-test", "images", "import", join(work, "bb-oci.tar")]).exitCode).toBe(0);
    const r = ctr(["-n", "husk-test", "run", "--rm", "--runc-binary", runtime, image, "husk-ctr-1", "/bin/sh", "-c", "echo hello-ctr; exit 5"]);
    expect(r.stdout).toBe("hello-ctr\n");
    expect(r.exitCode).toBe(5);
  });

  test("detached task: exec into it, kill, delete", () => {
    expect(ctr(["-n", "husk-test", "run", "-d", "--runc-binary", runtime, image, "husk-ctr-d", "/bin/sleep", "300"]).exitCode).toBe(0);
    const ex = ctr(["-n", "husk-test", "tasks", "exec", "--exec-id", "e1", "husk-ctr-d", "/bin/sh", "-c", "echo in-task"]);
    expect(ex.stdout).toBe("in-task\n");
    expect(ctr(["-n", "husk-test", "tasks", "kill", "-s", "KILL", "husk-ctr-d"]).exitCode).toBe(0);
    for (let i = 0; i < 200; i++) {
      if (ctr(["-n", "husk-test", "tasks", "ls", "-q"]).stdout.trim() === "") break;
      if (ctr(["-n", "husk-test", "tasks", "rm", "husk-ctr-d"]).exitCode === 0) break;
      Bun.sleepSync(25);
    }
    expect(ctr(["-n", "husk-test", "containers", "rm", "husk-ctr-d"]).exitCode).toBe(0);
    expect(ctr(["-n", "husk-test", "containers", "ls", "-q"]).stdout.trim()).toBe("");
  });
});
