// husk image save output that podman loads, and back: an image imported by husk, saved as
// docker-archive and oci-archive, loads into podman (private store) with the same image
// id; podman's save of it loads into a fresh husk store with that id again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../fixtures/busybox-rootfs.ts";
import { huskBin, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";
import { podmanIn, unmountBelow } from "../helpers/podman.ts";

const hasPodman = runSync(["sh", "-c", "command -v podman"]).exitCode === 0;
const work = mkdtempSync("/tmp/husk-test-image-podman-");
const store = join(work, "podman");
const podman = podmanIn(store, { storageDriver: "vfs" });
const husk = (data: string, sub: string, ...args: string[]) => runSync([huskBin(), "image", sub, "--data-root", data, ...args], { timeoutMs: 60_000 });
let before: HostSnapshot;
let id: string;
const data = join(work, "husk-data");

beforeAll(async () => {
  if (!hasPodman) return;
  before = snapshotHost({ paths: [work] });
  const rootfs = await ensureBusyboxRootfs();
  expect(runSync(["tar", "-C", rootfs, "-cf", join(work, "rootfs.tar"), "."]).exitCode).toBe(0);
  const r = husk(data, "import", "-c", 'CMD ["/bin/sh"]', join(work, "rootfs.tar"), "localhost/husk-interop:1");
  expect(r.exitCode).toBe(0);
  id = r.stdout.trim();
});

afterAll(() => {
  if (!hasPodman) return;
  podman("rmi", "-af");
  unmountBelow(store);
  rmSync(work, { recursive: true, force: true });
  assertNoLeaks(before, { paths: [work], ignore: (e) => !e.includes(work) });
});

describe.skipIf(!hasPodman)("husk save <-> podman load/save", () => {
  for (const format of ["docker-archive", "oci-archive"]) {
    test(`podman loads husk's ${format} with the same image id, and husk loads podman's save of it`, () => {
      const file = join(work, `husk-${format}.tar`);
      expect(husk(data, "save", "--format", format, "-o", file, "localhost/husk-interop:1").exitCode).toBe(0);
      const loaded = podman("load", "-i", file);
      expect(loaded.exitCode).toBe(0);
      expect(loaded.stdout).toContain("Loaded image: localhost/husk-interop:1");
      const inspect = podman("image", "inspect", "--format", "{{.Id}} {{.Config.Cmd}}", "localhost/husk-interop:1");
      expect(inspect.stdout.trim()).toBe(`${id.replace(/^sha256:/, "")} [/bin/sh]`);

      const back = join(work, `podman-${format}.tar`);
      expect(podman("save", "--format", format, "-o", back, "localhost/husk-interop:1").exitCode).toBe(0);
      const fresh = join(work, `fresh-${format}`);
      const r = husk(fresh, "load", "-i", back);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(husk(fresh, "inspect", id).stdout)[0].id).toBe(id);
      expect(podman("rmi", "-f", "localhost/husk-interop:1").exitCode).toBe(0);
    });
  }
});
