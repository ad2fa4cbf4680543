// `husk image load`: an OCI image layout (directory or tar) or a docker-archive tar (what
// `docker save` writes) into the content store, layer store and image store. Every blob
// is verified against its digest on the way in; a docker-archive's layers get their
// digests computed, and an OCI manifest is written for the image. An index with several
// platforms yields the one asked for (default: the host's). Whatever a failed load added
// to the stores and no image uses is removed again.
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { HuskError } from "../../runtime/errors.ts";
import { ContentStore, digestHex } from "../content-store.ts";
import { type ImageRecord, ImageStore } from "../image-store.ts";
import { chainId, chainIds, LayerStore } from "../layer-store.ts";
import { canonicalReference, parseReference } from "../reference.ts";
import { type Descriptor, type ImageIndex, type ImageManifest, MEDIA_TYPES } from "../registry/manifest.ts";
import { formatPlatform, hostPlatform, normalizePlatform, parsePlatform, type Platform, platformMatches } from "../registry/platform.ts";
import { decompress } from "../unpack/decompress.ts";
import { readTar, type TarEntry } from "../unpack/tar-reader.ts";

export interface LoadOptions {
  dataRoot: string;
  root: boolean;
  /** os/arch[/variant] to take from an index with several images; default the host's. */
  platform?: string;
}

interface Collected {
  /** Small JSON files, by path. */
  files: Map<string, Uint8Array>;
  /** path -> digest of every other file, stored as a blob */
  blobs: Map<string, string>;
}

/** Blobs and layers a load added, removed again if no image ends up using them. */
interface Added {
  digests: string[];
  chains: string[];
}

const MAX_METADATA = 16 << 20;

const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
const fileStream = (p: string) => createReadStream(p) as unknown as AsyncIterable<Uint8Array>;

/** The archive's entries; the tar reader speaks of "layer", which here is the archive itself. */
async function* archiveEntries(path: string): AsyncGenerator<TarEntry> {
  const it = readTar(decompress(fileStream(path), path))[Symbol.asyncIterator]();
  for (;;) {
    let r: IteratorResult<TarEntry>;
    try {
      r = await it.next();
    } catch (e) {
      if (e instanceof HuskError && /^layer /.test(e.message)) throw new HuskError(`${path} is not a valid archive: ${e.message.replace(/^layer /, "")}`, e.hint);
      throw e;
    }
    if (r.done) return;
    yield r.value;
  }
}

async function collectTar(path: string, content: ContentStore, added: Added): Promise<Collected> {
  const files = new Map<string, Uint8Array>();
  const blobs = new Map<string, string>();
  for await (const e of archiveEntries(path)) {
    if (e.type !== "file") continue;
    const name = e.path.replace(/^\.\//, "");
    const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
    if (m) {
      const digest = `sha256:${m[1]}`;
      if (!content.has(digest)) added.digests.push(digest);
      await content.ingest(digest, e.body, { size: e.size });
      blobs.set(name, digest);
    } else if (name === "oci-layout" || name.endsWith(".json")) {
      if (e.size > MAX_METADATA) throw new HuskError(`${path}: ${name} is ${e.size} bytes, too large for metadata (limit ${MAX_METADATA})`, "the archive is malformed or hostile; nothing was loaded");
      const parts: Uint8Array[] = [];
      for await (const c of e.body) parts.push(c);
      files.set(name, Buffer.concat(parts));
    } else {
      const b = await content.ingestAny(e.body);
      if (b.created) added.digests.push(b.digest);
      blobs.set(name, b.digest);
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

async function recordImage(content: ContentStore, layers: LayerStore, manifestDigest: string, manifest: ImageManifest, root: boolean, added: Added): Promise<ImageRecord> {
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
    const had = layers.has(chainId(parent, diffIds[i]!));
    parent = await layers.unpack(content, l.digest, diffIds[i]!, parent, { root });
    if (!had) added.chains.push(parent);
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

/** An OCI ref.name annotation is often just the tag ("latest"): only a full reference names an image. */
function annotatedName(d: Descriptor): string | undefined {
  const full = d.annotations?.["io.containerd.image.name"];
  if (full) return canonicalName(full);
  const ref = d.annotations?.["org.opencontainers.image.ref.name"];
  return ref && /[/:]/.test(ref) ? canonicalName(ref) : undefined;
}

/**
 * From the image manifests of one index, the one for `want`: exactly one platform may
 * match (several are fine when they are the same manifest). Entries without a platform
 * count as any platform only when none carries one.
 */
export function choosePlatform(descs: Descriptor[], want: Platform, what: string): Descriptor {
  if (descs.length === 1 && !descs[0]!.platform) return descs[0]!;
  if (descs.every((d) => !d.platform)) {
    if (descs.length === 1) return descs[0]!;
    throw new HuskError(`archive: ${what} lists ${descs.length} images without platforms`, "husk cannot tell which one to load");
  }
  const hits = descs.filter((d) => d.platform && platformMatches(want, d.platform));
  const chosen = hits.find((d) => d.platform?.variant === want.variant) ?? hits[0];
  if (!chosen) {
    const have = [...new Set(descs.filter((d) => d.platform).map((d) => formatPlatform(d.platform!)))].join(", ");
    throw new HuskError(`archive: ${what} has no image for ${formatPlatform(want)}; it has ${have}`, "choose one with --platform os/arch[/variant]");
  }
  return chosen;
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
async function ingestLayoutDir(dir: string, content: ContentStore, added: Added): Promise<Collected> {
  const files = new Map<string, Uint8Array>();
  for (const f of ["index.json", "oci-layout"]) {
    const p = join(dir, f);
    if (!existsSync(p)) continue;
    const size = statSync(p).size;
    if (size > MAX_METADATA) throw new HuskError(`${dir}: ${f} is ${size} bytes, too large for metadata (limit ${MAX_METADATA})`, "the layout is malformed or hostile; nothing was loaded");
    files.set(f, readFileSync(p));
  }
  const index = parseJson<ImageIndex>(files.get("index.json"), "index.json");
  const blob = (digest: string) => join(dir, "blobs", "sha256", digestHex(digest));
  const pending = [...index.manifests];
  const ingest = async (d: Descriptor) => {
    if (!existsSync(blob(d.digest))) throw new HuskError(`archive: blob ${d.digest} is missing from ${dir}`);
    if (!content.has(d.digest)) added.digests.push(d.digest);
    await content.ingest(d.digest, fileStream(blob(d.digest)), { size: d.size });
  };
  while (pending.length) {
    const d = pending.shift()!;
    if (d.size > MAX_METADATA) throw new HuskError(`archive: manifest ${d.digest} is ${d.size} bytes, too large (limit ${MAX_METADATA})`);
    await ingest(d);
    const body = parseJson<Partial<ImageManifest & ImageIndex>>(content.read(d.digest), `manifest ${d.digest}`);
    if (body.manifests) pending.push(...body.manifests);
    else if (body.config) for (const b of [body.config, ...(body.layers ?? [])]) await ingest(b);
  }
  return { files, blobs: new Map() };
}

/** A path named by manifest.json: inside the archive, or refused. */
function archivePath(p: unknown, what: string): string {
  if (typeof p !== "string" || p === "") throw new HuskError(`archive: manifest.json has a ${what} that is not a path`);
  const norm = p.replace(/^\.\//, "");
  if (norm.startsWith("/") || norm.split("/").includes("..")) throw new HuskError(`archive: manifest.json names ${JSON.stringify(p)} as a ${what}, a path outside the archive`, "the archive is malformed or hostile; nothing was loaded");
  return norm;
}

async function loadCollected(collected: Collected, content: ContentStore, layers: LayerStore, opts: LoadOptions, added: Added, save: (rec: ImageRecord, names: string[]) => Promise<void>): Promise<void> {
  const want = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
  if (collected.files.has("index.json")) {
    // OCI layout: the images index.json lists (one per platform when it lists several
    // platforms), each possibly through one level of nested index.
    const index = parseJson<ImageIndex>(collected.files.get("index.json"), "index.json");
    if (!Array.isArray(index.manifests) || !index.manifests.length) throw new HuskError("archive: index.json lists no images");
    const read = (d: Descriptor) => {
      if (!content.has(d.digest)) throw new HuskError(`archive: blob ${d.digest} named by the index is missing`);
      return parseJson<Partial<ImageManifest & ImageIndex>>(content.read(d.digest), `manifest ${d.digest}`);
    };
    // Entries for several platforms: those for `want` (one image may have several names).
    const withPlatform = index.manifests.filter((d) => d.platform);
    const platforms = new Set(withPlatform.map((d) => formatPlatform(normalizePlatform(d.platform!))));
    let top = index.manifests;
    if (platforms.size > 1) {
      const chosen = choosePlatform(withPlatform, want, "index.json").platform!;
      top = index.manifests.filter((d) => !d.platform || formatPlatform(normalizePlatform(d.platform)) === formatPlatform(normalizePlatform(chosen)));
    }
    for (const d of top) {
      const body = read(d);
      const target = body.manifests ? choosePlatform(body.manifests, want, `index ${d.digest}`) : d;
      const manifest = body.manifests ? read(target) : body;
      if (!manifest.config || !Array.isArray(manifest.layers)) throw new HuskError(`archive: ${target.digest} is not an image manifest`);
      const name = annotatedName(d);
      const rec = await recordImage(content, layers, target.digest, manifest as ImageManifest, opts.root, added);
      await save(body.manifests ? { ...rec, indexDigest: d.digest } : rec, name ? [name] : []);
    }
    return;
  }

  // docker-archive: manifest.json lists Config, RepoTags and Layers by path in the tar.
  const entries = parseJson<{ Config: string; RepoTags?: string[] | null; Layers: string[] }[]>(collected.files.get("manifest.json"), "manifest.json or index.json");
  if (!Array.isArray(entries) || !entries.length) throw new HuskError("archive: manifest.json lists no images");
  for (const e of entries) {
    const configPath = archivePath(e.Config, "config");
    if (!Array.isArray(e.Layers)) throw new HuskError("archive: manifest.json has an entry without Layers");
    const layerPaths = e.Layers.map((p) => archivePath(p, "layer"));
    const configBytes = collected.files.get(configPath);
    const configDigest = configBytes ? await content.put(configBytes) : collected.blobs.get(configPath);
    if (!configDigest) throw new HuskError(`archive: config ${configPath} is missing`);
    if (configBytes) added.digests.push(configDigest);
    const layerDescs = layerPaths.map((p) => {
      const digest = collected.blobs.get(p);
      if (!digest) throw new HuskError(`archive: layer ${p} is missing`);
      return { mediaType: OCI_LAYER, digest, size: statSync(content.blobPath(digest)).size };
    });
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: content.read(configDigest).length },
      layers: layerDescs,
    } as ImageManifest;
    const manifestDigest = await content.put(new TextEncoder().encode(JSON.stringify(manifest)));
    added.digests.push(manifestDigest);
    const names = (e.RepoTags ?? []).map(canonicalName).filter((n): n is string => !!n);
    await save(await recordImage(content, layers, manifestDigest, manifest, opts.root, added), names);
  }
}

export async function loadArchive(path: string, opts: LoadOptions): Promise<{ record: ImageRecord; names: string[] }[]> {
  if (!existsSync(path)) throw new HuskError(`${path}: no such file or directory: ENOENT`);
  if (opts.platform) parsePlatform(opts.platform); // refuse a bad --platform before reading anything
  const content = new ContentStore(opts.dataRoot);
  const layers = new LayerStore(opts.dataRoot);
  const images = new ImageStore(opts.dataRoot);
  const added: Added = { digests: [], chains: [] };
  const out: { record: ImageRecord; names: string[] }[] = [];
  try {
    const collected = statSync(path).isDirectory() ? await ingestLayoutDir(path, content, added) : await collectTar(path, content, added);
    await loadCollected(collected, content, layers, opts, added, async (rec, names) => {
      await images.save(rec, names);
      out.push({ record: rec, names });
    });
  } finally {
    // Blobs of other platforms, and everything of a failed load, that no image uses.
    const used = images.referenced();
    for (const d of new Set(added.digests)) if (!used.digests.has(d)) content.remove(d);
    for (const c of new Set(added.chains)) if (!used.chains.has(c)) layers.remove(c);
  }
  return out;
}
