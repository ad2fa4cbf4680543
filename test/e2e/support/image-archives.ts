// Hand-made image archives for the image e2e tests: docker-archives and OCI layouts built
// byte by byte (hostile ones included), and a look at what a data root holds.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Unpackr } from "msgpackr/unpack";
import { makeTar, type TarSpec } from "../../unit/layer-tar-writer.ts";

export const sha256 = (b: Uint8Array | string) => `sha256:${new Bun.CryptoHasher("sha256").update(b).digest("hex")}`;
export const hex = (digest: string) => digest.replace(/^sha256:/, "");
const enc = (s: string) => new TextEncoder().encode(s);
export const hostArch = process.arch === "arm64" ? "arm64" : "amd64";

export function imageConfig(diffIds: string[], extra: Record<string, unknown> = {}): Uint8Array {
  return enc(JSON.stringify({ architecture: hostArch, os: "linux", config: { Cmd: ["/bin/sh"] }, rootfs: { type: "layers", diff_ids: diffIds }, ...extra }));
}

/** A docker-archive (manifest.json + config + layer tars); `manifest` overrides the entry. */
export function dockerArchive(layers: Uint8Array[], opts: { diffIds?: string[]; manifest?: unknown; repoTags?: string[] } = {}): Uint8Array {
  const config = imageConfig(opts.diffIds ?? layers.map((l) => sha256(l)));
  const configName = `${hex(sha256(config))}.json`;
  const layerNames = layers.map((l, i) => `layer${i}/layer.tar`);
  const manifest = opts.manifest ?? [{ Config: configName, RepoTags: opts.repoTags ?? ["hostile:1"], Layers: layerNames }];
  const entries: TarSpec[] = [
    ...layers.map((l, i) => ({ name: layerNames[i]!, data: l })),
    { name: configName, data: config },
    { name: "manifest.json", data: JSON.stringify(manifest) },
  ];
  return makeTar(entries);
}

/** OCI layout files (path -> bytes) for images of several platforms behind one index. */
export function ociLayout(images: { layer: Uint8Array; platform: { os: string; architecture: string; variant?: string }; env: string }[], name = "docker.io/library/multi:1") {
  const files = new Map<string, Uint8Array>();
  const blob = (b: Uint8Array) => {
    const d = sha256(b);
    files.set(`blobs/sha256/${hex(d)}`, b);
    return { digest: d, size: b.length };
  };
  const manifests = images.map((img) => {
    const layer = blob(img.layer);
    const config = blob(enc(JSON.stringify({ ...img.platform, config: { Env: [img.env] }, rootfs: { type: "layers", diff_ids: [layer.digest] } })));
    const m = blob(enc(JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
    })));
    return { mediaType: "application/vnd.oci.image.manifest.v1+json", ...m, platform: img.platform, configDigest: config.digest };
  });
  const index = blob(enc(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: manifests.map(({ configDigest, ...m }) => m) })));
  files.set("oci-layout", enc('{"imageLayoutVersion":"1.0.0"}'));
  files.set("index.json", enc(JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: "application/vnd.oci.image.index.v1+json", ...index, annotations: { "io.containerd.image.name": name } }],
  })));
  return { files, configDigests: manifests.map((m) => m.configDigest) };
}

export function tarOf(files: Map<string, Uint8Array>): Uint8Array {
  return makeTar([...files].map(([name, data]) => ({ name, data })));
}

/** Everything a data root holds, that a refused load or import must not leave behind. */
export function storeContents(data: string): string[] {
  const out: string[] = [];
  for (const dir of ["blobs/sha256", "layers", "ingest"]) {
    const p = join(data, dir);
    if (existsSync(p)) for (const n of readdirSync(p)) out.push(`${dir}/${n}`);
  }
  const index = join(data, "images.msgpack");
  if (existsSync(index)) {
    const idx = new Unpackr({ useRecords: false, moreTypes: false }).unpack(readFileSync(index)) as { images: object; tags: object };
    for (const id of Object.keys(idx.images ?? {})) out.push(`image ${id}`);
    for (const t of Object.keys(idx.tags ?? {})) out.push(`tag ${t}`);
  }
  return out.sort();
}

export { makeTar, type TarSpec };
