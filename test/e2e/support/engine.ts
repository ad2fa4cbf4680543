// Engine e2e support: a busybox image as an OCI layout (made here from the busybox-static
// rootfs, no network), loaded with `husk image load` into a per-suite data root, and a
// runner for `husk <engine command>` with that suite's --root/--data-root.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../../fixtures/busybox-rootfs.ts";
import { ownCgroupParent } from "../../helpers/cgroup.ts";
import { huskBin, type RunHuskOptions, type RunResult, runSync, tempRoot } from "../../helpers/husk.ts";
import { type TempNetns, tempNetns } from "../../../src/plugin/testkit.ts";

export const IMAGE = "localhost/husk-e2e/busybox:1";

/** Writes an OCI layout dir holding one busybox image named `name` with `config`. */
export async function busyboxLayout(dir: string, name: string, config: Record<string, unknown>): Promise<void> {
  const rootfs = await ensureBusyboxRootfs();
  const blobs = join(dir, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  const put = (bytes: Uint8Array) => {
    const digest = createHash("sha256").update(bytes).digest("hex");
    writeFileSync(join(blobs, digest), bytes);
    return { digest: `sha256:${digest}`, size: bytes.length };
  };
  const tarFile = join(dir, "layer.tar");
  const r = runSync(["tar", "--sort=name", "-C", rootfs, "-cf", tarFile, "."]);
  if (r.exitCode !== 0) throw new Error(`tar: ${r.stderr}`);
  const layer = put(readFileSync(tarFile));
  rmSync(tarFile);
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const cfg = put(json({ architecture: process.arch === "arm64" ? "arm64" : "amd64", os: "linux", config, rootfs: { type: "layers", diff_ids: [layer.digest] } }));
  const manifest = put(json({
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...cfg },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
  }));
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(join(dir, "index.json"), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest, annotations: { "io.containerd.image.name": name } }],
  }));
}

export interface EngineEnv {
  root: string;
  dataRoot: string;
  cgroupParent: string;
  /** The network namespace husk runs in: it stands in for the host's, so the default
   * bridge (husk0), its firewall rules and published ports stay inside the test. */
  netns: TempNetns;
  /** The argv that runs `husk <args>` with this suite's roots, inside `netns`. */
  argv(args: string[]): string[];
  husk(args: string[], opts?: RunHuskOptions): RunResult;
  cleanup(): void;
}

/** A root, a data root with the busybox image loaded, and a cgroup parent of our own. */
export async function engineEnv(name: string, imageConfig: Record<string, unknown> = { Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["/bin/sh"] }): Promise<EngineEnv> {
  const root = tempRoot();
  const dataRoot = mkdtempSync(`/var/tmp/husk-test-${process.pid}-data-`);
  const layout = mkdtempSync(`/var/tmp/husk-test-${process.pid}-layout-`);
  await busyboxLayout(layout, IMAGE, imageConfig);
  const netns = tempNetns("husk-e");
  const up = netns.exec(["ip", "link", "set", "lo", "up"]);
  if (up.exitCode !== 0) throw new Error(`lo up in ${netns.name}: ${up.stderr}`);
  // nsenter --net only: the mount namespace stays the host's (snapshots, netns files).
  // The roots go right after the command's path ("run", "network create", ...).
  const argv = (args: string[]) => {
    const n = ["network", "image", "container", "plugin", "volume", "system"].includes(args[0]!) ? 2 : 1;
    return ["nsenter", `--net=${netns.path}`, "--", huskBin(), ...args.slice(0, n), "--root", root, "--data-root", dataRoot, ...args.slice(n)];
  };
  const husk = (args: string[], opts: RunHuskOptions = {}) => runSync(argv(args), { timeoutMs: 60_000, ...opts });
  const load = runSync([huskBin(), "image", "load", "--data-root", dataRoot, "-i", layout], { timeoutMs: 60_000 });
  rmSync(layout, { recursive: true, force: true });
  if (load.exitCode !== 0) throw new Error(`image load: ${load.stderr}`);
  return {
    root, dataRoot, cgroupParent: ownCgroupParent(name), netns, argv, husk,
    cleanup() {
      // Whatever a failed test left: rm -f every container, then the dirs.
      const ids = husk(["ps", "-aq", "--no-trunc"]).stdout.split("\n").filter(Boolean);
      if (ids.length) husk(["rm", "-fv", ...ids]);
      netns.remove();
      rmSync(dataRoot, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    },
  };
}
