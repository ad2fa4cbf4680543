// Makes a one-layer OCI image-layout tarball from a rootfs tar, so that tests can import
// an image into containerd without a registry. Usage: bun oci-layout.ts ROOTFS.tar OUT.tar NAME
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [layerTar, out, name] = process.argv.slice(2);
if (!layerTar || !out || !name) throw new Error("usage: oci-layout.ts ROOTFS.tar OUT.tar NAME");
const dir = mkdtempSync("/tmp/husk-oci-layout-");
const blobs = join(dir, "blobs", "sha256");
mkdirSync(blobs, { recursive: true });
const put = (data: Uint8Array | string) => {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = createHash("sha256").update(bytes).digest("hex");
  writeFileSync(join(blobs, digest), bytes);
  return { digest: `sha256:${digest}`, size: bytes.length };
};
const layer = put(readFileSync(layerTar));
const arch = process.arch === "arm64" ? "arm64" : "amd64";
const config = put(JSON.stringify({
  architecture: arch, os: "linux",
  config: { Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["/bin/sh"] },
  rootfs: { type: "layers", diff_ids: [layer.digest] },
}));
const manifest = put(JSON.stringify({
  schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
  layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
}));
writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
writeFileSync(join(dir, "index.json"), JSON.stringify({
  schemaVersion: 2,
  manifests: [{
    mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest,
    annotations: { "io.containerd.image.name": name, "org.opencontainers.image.ref.name": name.split(":").pop() },
  }],
}));
const r = spawnSync("tar", ["-C", dir, "-cf", out, "oci-layout", "index.json", "blobs"], { stdio: "inherit" });
rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
