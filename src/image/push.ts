// `husk image push`: an image of the store to a registry. Blobs first (those the registry
// lacks; mounted from another repository of the same registry when the image came from
// one), then the manifest. An image whose whole index is in the store (pulled with
// --all-platforms) goes up as that index: every platform's manifest by digest, then the
// index under the tag. The bytes pushed are the stored bytes, so digests do not change.
import { HuskError } from "../runtime/errors.ts";
import { ContentStore } from "./content-store.ts";
import { ImageStore } from "./image-store.ts";
import { canonicalReference, parseReference } from "./reference.ts";
import type { ImageReference } from "./reference.ts";
import type { CredentialsFn } from "./registry/auth.ts";
import { RegistryClient } from "./registry/client.ts";
import { parseManifest } from "./registry/manifest.ts";
import type { Descriptor, ImageIndex, ImageManifest } from "./registry/manifest.ts";
import { type BlobOutcome, putManifest, uploadBlob } from "./registry/upload.ts";
import { isLoopbackRegistry } from "./pull.ts";
import { forEachLimited } from "../util/pool.ts";

export type PushProgress =
  | { kind: "layer"; digest: string; status: "waiting" | "uploading" | BlobOutcome; done: number; total: number }
  | { kind: "manifest"; digest: string };

export interface PushImageOptions {
  dataRoot: string;
  /** Registries reached over plain http besides loopback ones. */
  insecure?: string[];
  credentials?: CredentialsFn;
  onProgress?: (ev: PushProgress) => void;
  chunkSize?: number;
  concurrency?: number;
}

export interface PushResult {
  /** The destination, canonical. */
  ref: string;
  digest: string;
  size: number;
  mediaType: string;
  /** Platform manifests pushed under an index (empty for a single image). */
  platforms: string[];
}

interface StoredManifest {
  digest: string;
  bytes: Uint8Array;
  mediaType: string;
}

function readManifest(content: ContentStore, digest: string): StoredManifest & { kind: "manifest" | "index"; body: ImageManifest | ImageIndex } {
  const bytes = new Uint8Array(content.read(digest));
  return { digest, bytes, ...parseManifest(bytes, null, `manifest ${digest}`) };
}

/** The index's platform manifests, when every one of them and all their blobs are stored. */
function completeIndex(content: ContentStore, indexDigest: string | undefined): { index: StoredManifest; children: (StoredManifest & { desc: Descriptor; body: ImageManifest })[] } | undefined {
  if (!indexDigest || !content.has(indexDigest)) return undefined;
  const top = readManifest(content, indexDigest);
  if (top.kind !== "index") return undefined;
  const children = [];
  for (const desc of (top.body as ImageIndex).manifests) {
    if (!content.has(desc.digest)) return undefined;
    const m = readManifest(content, desc.digest);
    if (m.kind !== "manifest") return undefined;
    const body = m.body as ImageManifest;
    if (![body.config, ...body.layers].every((b) => content.has(b.digest))) return undefined;
    children.push({ ...m, desc, body });
  }
  return { index: top, children };
}

export async function pushImage(source: string, dest: string | undefined, opts: PushImageOptions): Promise<PushResult> {
  const images = new ImageStore(opts.dataRoot);
  const content = new ContentStore(opts.dataRoot);
  const record = images.resolve(source);
  const names = images.list().find((i) => i.record.id === record.id)?.names ?? [];
  let target: ImageReference;
  if (dest !== undefined) target = parseReference(dest);
  else if (/^(sha256:)?[0-9a-f]{4,64}$/.test(source) && !names.some((n) => n === canonicalReference(parseReference(source)))) {
    throw new HuskError(`push ${source}: an image id names no repository to push to`, "give a destination: husk image push ID REGISTRY/REPO:TAG");
  } else target = parseReference(source);
  if (target.digest) throw new HuskError(`push to ${canonicalReference(target)}: a destination is a tag, not a digest`, "drop the @sha256:... part");
  const tag = target.tag ?? "latest";

  const insecure = [...(opts.insecure ?? []), ...(isLoopbackRegistry(target.registry) ? [target.registry] : [])];
  const client = new RegistryClient({ insecure, credentials: opts.credentials });
  // Repositories of the same registry this image came from can lend their blobs.
  const mountFrom = [...new Set(names.map((n) => parseReference(n)).filter((r) => r.registry === target.registry && r.repository !== target.repository).map((r) => r.repository))];

  const full = completeIndex(content, record.indexDigest);
  const single = readManifest(content, record.manifestDigest);
  if (single.kind !== "manifest") throw new HuskError(`push ${source}: manifest ${single.digest} is not an image manifest`, "the image store is damaged; pull or load the image again");
  const manifests = full ? full.children : [{ ...single, body: single.body as ImageManifest }];

  // Every blob once, however many platforms share it.
  const blobs = new Map<string, Descriptor>();
  for (const m of manifests) for (const d of [m.body.config, ...m.body.layers]) if (!blobs.has(d.digest)) blobs.set(d.digest, d);
  for (const d of blobs.values()) opts.onProgress?.({ kind: "layer", digest: d.digest, status: "waiting", done: 0, total: d.size });
  const { failed } = await forEachLimited([...blobs.values()], opts.concurrency ?? 3, async (d) => {
    if (!content.has(d.digest)) throw new HuskError(`push ${source}: blob ${d.digest} is missing from the content store`, "pull or load the image again");
    let started = false;
    const outcome = await uploadBlob(client, target, d, Bun.file(content.blobPath(d.digest)), {
      mountFrom,
      chunkSize: opts.chunkSize,
      onProgress: (done, total) => {
        if (done < total || !started) opts.onProgress?.({ kind: "layer", digest: d.digest, status: "uploading", done, total });
        started = true;
      },
    });
    opts.onProgress?.({ kind: "layer", digest: d.digest, status: outcome, done: d.size, total: d.size });
  });
  if (failed !== undefined) throw failed;

  if (!full) {
    const m = manifests[0]!;
    await putManifest(client, target, tag, m.bytes, m.mediaType, m.digest);
    opts.onProgress?.({ kind: "manifest", digest: m.digest });
    return { ref: canonicalReference({ ...target, tag }), digest: m.digest, size: m.bytes.length, mediaType: m.mediaType, platforms: [] };
  }
  for (const m of full.children) {
    await putManifest(client, target, m.digest, m.bytes, m.mediaType, m.digest);
    opts.onProgress?.({ kind: "manifest", digest: m.digest });
  }
  await putManifest(client, target, tag, full.index.bytes, full.index.mediaType, full.index.digest);
  opts.onProgress?.({ kind: "manifest", digest: full.index.digest });
  const platforms = full.children.map((c) => (c.desc.platform ? `${c.desc.platform.os}/${c.desc.platform.architecture}${c.desc.platform.variant ? `/${c.desc.platform.variant}` : ""}` : c.digest));
  return { ref: canonicalReference({ ...target, tag }), digest: full.index.digest, size: full.index.bytes.length, mediaType: full.index.mediaType, platforms };
}
