// `husk image load` of what podman (and docker) write: docker-archive, oci-archive and an
// OCI layout directory; and a layout whose blob does not match its digest.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../fixtures/busybox-rootfs.ts";
import { huskBin, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";
import { podmanIn, unmountBelow } from "../helpers/podman.ts";

const hasPodman = runSync(["sh", "-c", "command -v podman"]).exitCode === 0;
const work = mkdtempSync("/tmp/husk-test-image-load-");
const store = join(work, "podman");
const podman = podmanIn(store, { storageDriver: "vfs" });
const husk = (data: string, ...args: string[]) => runSync([huskBin(), "image", ...args.slice(0, 1), "--data-root", data, ...args.slice(1)], { timeoutMs: 60_000 });
let before: HostSnapshot;

beforeAll(async () => {
  if (!hasPodman) return;
  before = snapshotHost({ paths: [work] });
  const rootfs = await ensureBusyboxRootfs();
  expect(runSync(["tar", "-C", rootfs, "-cf", join(work, "bb.tar"), "."]).exitCode).toBe(0);
  expect(podman("import", join(work, "bb.tar"), "localhost/husk-load:1").exitCode).toBe(0);
  expect(podman("save", "--format", "docker-archive", "-o", join(work, "docker.tar"), "localhost/husk-load:1").exitCode).toBe(0);
  expect(podman("save", "--format", "oci-archive", "-o", join(work, "oci.tar"), "localhost/husk-load:1").exitCode).toBe(0);
  expect(podman("save", "--format", "oci-dir", "-o", join(work, "oci-dir"), "localhost/husk-load:1").exitCode).toBe(0);
});

afterAll(() => {
  if (!hasPodman) return;
  podman("rmi", "-af");
  unmountBelow(store);
  rmSync(work, { recursive: true, force: true });
  // Loading images makes no netns, links or cgroups; other sessions on this shared host
  // do, so only what names this suite's paths counts here.
  assertNoLeaks(before, { paths: [work], ignore: (e) => !e.includes(work) });
});

describe.skipIf(!hasPodman)("husk image load", () => {
  for (const [name, file, expected] of [
    ["docker-archive", "docker.tar", "Loaded image: localhost/husk-load:1\n"],
    ["oci-archive", "oci.tar", undefined],
    ["OCI layout directory", "oci-dir", undefined],
  ] as const) {
    test(name, () => {
      const data = join(work, `data-${file}`);
      const r = husk(data, "load", "-i", join(work, file));
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      if (expected) expect(r.stdout).toBe(expected);
      else expect(r.stdout).toMatch(/^Loaded image( ID)?: /);
      const ids = husk(data, "ls", "-q").stdout.trim().split("\n");
      expect(ids).toHaveLength(1);
      const layers = readdirSync(join(data, "layers")).filter((n) => !n.startsWith("."));
      expect(layers).toHaveLength(1);
      expect(existsSync(join(data, "layers", layers[0]!, "diff/bin/busybox"))).toBe(true);
      expect(readdirSync(join(data, "ingest"))).toEqual([]);
    });
  }

  test("a layout whose blob does not match its digest is refused and keeps nothing", () => {
    const bad = join(work, "bad-layout");
    const blob = `sha256:${"0".repeat(64)}`;
    mkdirSync(join(bad, "blobs/sha256"), { recursive: true });
    writeFileSync(join(bad, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(bad, "blobs/sha256", "0".repeat(64)), "not what the digest says");
    writeFileSync(join(bad, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: blob, size: 24 }] }));
    const data = join(work, "data-bad");
    const r = husk(data, "load", "-i", bad);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^husk: blob ${blob}: content has digest sha256:[0-9a-f]{64}`));
    expect(existsSync(join(data, "blobs/sha256", "0".repeat(64)))).toBe(false);
  });

  test("a missing archive is one line", () => {
    const r = husk(join(work, "data-missing"), "load", "-i", join(work, "nope.tar"));
    expect(r.stderr).toBe(`husk: ${join(work, "nope.tar")}: no such file or directory: ENOENT\n`);
    expect(r.exitCode).toBe(1);
  });
});
