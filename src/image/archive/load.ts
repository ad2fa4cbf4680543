// `husk image load`: an OCI image layout (directory or tar) or a docker-archive tar (what
// `docker save` writes) into the content store, layer store and image store. Every blob
// is verified against its digest on the way in; a docker-archive's layers get their
// digests computed, and an OCI manifest is written for the image.
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { HuskError } from "../../runtime/errors.ts";
import { ContentStore, digestHex } from "../content-store.ts";
import { type ImageRecord, ImageStore } from "../image-store.ts";
import { chainIds, LayerStore } from "../layer-store.ts";
import { canonicalReference, parseReference } from "../reference.ts";
import { type ImageIndex, type ImageManifest, MEDIA_TYPES } from "../registry/manifest.ts";
import { decompress } from "../unpack/decompress.ts";
import { readTar } from "../unpack/tar-reader.ts";

export interface LoadOptions {
  dataRoot: string;
  root: boolean;
}

interface Collected {
  /** Small JSON files, by path. */
  files: Map<string, Uint8Array>;
  /** path -> digest of every other file, stored as a blob */
  blobs: Map<string, string>;
}

const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
const fileStream = (p: string) => createReadStream(p) as unknown as AsyncIterable<Uint8Array>;

async function collectTar(path: string, content: ContentStore): Promise<Collected> {
  const files = new Map<string, Uint8Array>();
  const blobs = new Map<string, string>();
  for await (const e of readTar(decompress(fileStream(path), path))) {
    if (e.type !== "file") continue;
    const name = e.path.replace(/^\.\//, "");
    const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
    if (m) {
      await content.ingest(`sha256:${m[1]}`, e.body, { size: e.size });
      blobs.set(name, `sha256:${m[1]}`);
    } else if (name === "oci-layout" || name.endsWith(".json")) {
      if (e.size > 16 << 20) throw new HuskError(`${path}: ${name} is ${e.size} bytes, too large for metadata`);
      const parts: Uint8Array[] = [];
      for await (const c of e.body) parts.push(c);
      files.set(name, Buffer.concat(parts));
    } else {
      blobs.set(name, (await content.ingestAny(e.body)).digest);
    }
  }
  return { files, blobs };
}

function parseJson<T>(bytes: Uint8Array | undefined, what: string): T {
  if (!bytes) throw new HuskError(`archive has no ${what}`, "is this an OCI layout or a docker-archive?");
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    throw new HuskError(`archive: ${what} is not valid JSON`);
  }
}

async function recordImage(content: ContentStore, layers: LayerStore, manifestDigest: string, manifest: ImageManifest, root: boolean): Promise<ImageRecord> {
  const config = JSON.parse(content.read(manifest.config.digest).toString()) as {
    rootfs?: { diff_ids?: string[] };
    os?: string;
    architecture?: string;
    variant?: string;
    created?: string;
  };
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) throw new HuskError(`archive: the config lists ${diffIds.length} diff ids for ${manifest.layers.length} layers`);
  let parent: string | undefined;
  for (const [i, l] of manifest.layers.entries()) {
    if (!content.has(l.digest)) throw new HuskError(`archive: layer ${l.digest} is missing`);
    parent = await layers.unpack(content, l.digest, diffIds[i]!, parent, { root });
  }
  const chains = chainIds(diffIds);
  return {
    id: manifest.config.digest,
    manifestDigest,
    layers: manifest.layers.map((l, i) => ({ digest: l.digest, size: l.size, diffId: diffIds[i]!, chainId: chains[i]! })),
    platform: { os: config.os ?? "linux", architecture: config.architecture ?? "", ...(config.variant ? { variant: config.variant } : {}) },
    ...(config.created ? { created: config.created } : {}),
    pulledAt: new Date().toISOString(),
    size: manifest.layers.reduce((a, l) => a + l.size, 0),
  };
}

/** Names as docker and podman write them; bare names become docker.io/library/... */
function canonicalName(name: string): string | undefined {
  try {
    return canonicalReference(parseReference(name));
  } catch {
    return undefined;
  }
}

/** Copy the blobs an OCI layout directory's index reaches, verifying each. */
async function ingestLayoutDir(dir: string, content: ContentStore): Promise<Collected> {
  const files = new Map<string, Uint8Array>();
  for (const f of ["index.json", "oci-layout"]) if (existsSync(join(dir, f))) files.set(f, readFileSync(join(dir, f)));
  const index = parseJson<ImageIndex>(files.get("index.json"), "index.json");
  const blob = (digest: string) => join(dir, "blobs", "sha256", digestHex(digest));
  const pending = [...index.manifests];
  while (pending.length) {
    const d = pending.shift()!;
    await content.ingest(d.digest, fileStream(blob(d.digest)), { size: d.size });
    const body = JSON.parse(content.read(d.digest).toString()) as Partial<ImageManifest & ImageIndex>;
    if (body.manifests) pending.push(...body.manifests);
    else for (const b of [body.config!, ...(body.layers ?? [])]) await content.ingest(b.digest, fileStream(blob(b.digest)), { size: b.size });
  }
  return { files, blobs: new Map() };
}

export async function loadArchive(path: string, opts: LoadOptions): Promise<{ record: ImageRecord; names: string[] }[]> {
  if (!existsSync(path)) throw new HuskError(`${path}: no such file or directory: ENOENT`);
  const content = new ContentStore(opts.dataRoot);
  const layers = new LayerStore(opts.dataRoot);
  const images = new ImageStore(opts.dataRoot);
  const collected = statSync(path).isDirectory() ? await ingestLayoutDir(path, content) : await collectTar(path, content);
  const out: { record: ImageRecord; names: string[] }[] = [];
  const save = async (rec: ImageRecord, names: string[]) => {
    await images.save(rec, names);
    out.push({ record: rec, names });
  };

  if (collected.files.has("index.json")) {
    // OCI layout: each entry of index.json, through one level of nested index (the host's
    // platform is not chosen here yet: the first image manifest is taken).
    const index = parseJson<ImageIndex>(collected.files.get("index.json"), "index.json");
    for (const d of index.manifests) {
      const body = JSON.parse(content.read(d.digest).toString()) as Partial<ImageManifest & ImageIndex>;
      const target = body.manifests ? body.manifests[0] : d;
      if (!target) throw new HuskError(`archive: index ${d.digest} lists no manifests`);
      const manifest = JSON.parse(content.read(target.digest).toString()) as ImageManifest;
      const name = d.annotations?.["io.containerd.image.name"] ?? d.annotations?.["org.opencontainers.image.ref.name"];
      const canonical = name ? canonicalName(name) : undefined;
      await save(await recordImage(content, layers, target.digest, manifest, opts.root), canonical ? [canonical] : []);
    }
    return out;
  }

  // docker-archive: manifest.json lists Config, RepoTags and Layers by path in the tar.
  const entries = parseJson<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>(collected.files.get("manifest.json"), "manifest.json or index.json");
  for (const e of entries) {
    const configBytes = collected.files.get(e.Config);
    const configDigest = configBytes ? await content.put(configBytes) : collected.blobs.get(e.Config);
    if (!configDigest) throw new HuskError(`archive: config ${e.Config} is missing`);
    const layerDescs = e.Layers.map((p) => {
      const digest = collected.blobs.get(p);
      if (!digest) throw new HuskError(`archive: layer ${p} is missing`);
      return { mediaType: OCI_LAYER, digest, size: content.read(digest).length };
    });
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: content.read(configDigest).length },
      layers: layerDescs,
    } as ImageManifest;
    const manifestDigest = await content.put(new TextEncoder().encode(JSON.stringify(manifest)));
    const names = (e.RepoTags ?? []).map(canonicalName).filter((n): n is string => !!n);
    await save(await recordImage(content, layers, manifestDigest, manifest, opts.root), names);
  }
  return out;
}
