// `husk image pull`: manifest and config, then the layers. Every layer is downloaded into
// the content store and, at the same time, unpacked from the bytes already written:
// layers unpack one after another in manifest order while later ones still download.
// A layer's directory is renamed into place only after both its download digest and its
// diff_id were verified; anything unverified is thrown away. The image is recorded under
// its name last.
import { HuskError } from "../runtime/errors.ts";
import { ContentStore } from "./content-store.ts";
import { IngestRestarted, IngestWatch } from "./ingest-follow.ts";
import { ImageStore, type ImageRecord } from "./image-store.ts";
import { chainIds, LayerStore } from "./layer-store.ts";
import { canonicalReference, parseReference } from "./reference.ts";
import type { CredentialsFn } from "./registry/auth.ts";
import { type PullProgress, RegistryClient } from "./registry/client.ts";
import { pullOtherPlatforms, tryEndpoints } from "./registry/mirrors.ts";

export interface PullImageOptions {
  dataRoot: string;
  platform?: string;
  /** Registries reached over plain http besides loopback ones (docker's rule). */
  insecure?: string[];
  onProgress?: (ev: PullProgress | { kind: "unpack"; digest: string; chainId: string }) => void;
  /** Running as root: keep ownership and device nodes. */
  root: boolean;
  /** Layer downloads at once (default 3, as docker). */
  concurrency?: number;
  credentials?: CredentialsFn;
  /** Hosts mirroring the image's registry, tried in order before it. */
  mirrors?: string[];
  /** A mirror failed and the next endpoint is tried. */
  onMirrorError?: (mirror: string, error: unknown) => void;
  /** Also fetch the blobs of every other platform of an index (for a multi-arch push). */
  allPlatforms?: boolean;
}

/** docker talks plain http to registries on loopback without being told to. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function pullImage(text: string, opts: PullImageOptions): Promise<ImageRecord> {
  const ref = parseReference(text);
  const endpoints = [...(opts.mirrors ?? []).filter((m) => m !== ref.registry), ref.registry];
  const insecure = [...(opts.insecure ?? []), ...endpoints.filter(isLoopbackRegistry)];
  const client = new RegistryClient({ insecure, credentials: opts.credentials });
  const content = new ContentStore(opts.dataRoot);
  const layers = new LayerStore(opts.dataRoot);
  // The manifest and config come from the first endpoint that serves them (mirrors, then
  // the registry); the layers are then fetched from that same endpoint.
  const image = await tryEndpoints(
    endpoints,
    (registry) => client.resolveImage({ ...ref, registry }, content, { platform: opts.platform, onProgress: opts.onProgress }),
    opts.onMirrorError,
  );
  const manifest = image.manifest.manifest;
  const config = image.config as { rootfs?: { diff_ids?: string[] }; os?: string; architecture?: string; variant?: string; created?: string };
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length)
    throw new HuskError(`${text}: the config lists ${diffIds.length} diff ids for ${manifest.layers.length} layers`, "the image is malformed");
  const chains = chainIds(diffIds);

  // One watch per distinct blob: the unpacker reads through it while the download writes.
  const watches = new Map<string, IngestWatch>();
  for (const l of manifest.layers) {
    if (watches.has(l.digest)) continue;
    const what = `layer ${l.digest}`;
    watches.set(l.digest, content.has(l.digest) ? IngestWatch.complete(what, content.blobPath(l.digest), l.size) : new IngestWatch(what));
  }
  let stop = false;
  const downloads = client.pullLayers(image, content, {
    onProgress: opts.onProgress,
    concurrency: opts.concurrency,
    observe: (l) => watches.get(l.digest),
    settled: (l, error) => (error === undefined ? watches.get(l.digest)!.completeAt(content.blobPath(l.digest), l.size) : watches.get(l.digest)!.failed(error)),
    stopped: () => stop,
  });
  downloads.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"

  try {
    let parent: string | undefined;
    for (const [i, l] of manifest.layers.entries()) {
      const watch = watches.get(l.digest)!;
      const unpackOpts = { root: opts.root, verified: () => watch.verified() };
      try {
        parent = await layers.unpackStream(watch.follow(), l.digest, diffIds[i]!, parent, unpackOpts);
      } catch (e) {
        // The download started over under the reader (a failed resume): unpack the verified blob.
        if (!(e instanceof IngestRestarted)) throw e;
        await watch.verified();
        parent = await layers.unpack(content, l.digest, diffIds[i]!, parent, { root: opts.root });
      }
      opts.onProgress?.({ kind: "unpack", digest: l.digest, chainId: chains[i]! });
    }
    await downloads;
  } catch (e) {
    // No new downloads; the running ones finish (or keep their partial file for a resume).
    stop = true;
    await downloads.catch(() => {});
    throw e;
  } finally {
    for (const w of watches.values()) w.close();
  }

  const pulled = await client.storeManifest(image, content);
  const extraBlobs = opts.allPlatforms ? await pullOtherPlatforms(client, image.ref, pulled, content, opts.onProgress) : [];
  const record: ImageRecord = {
    id: manifest.config.digest,
    manifestDigest: pulled.manifestDigest,
    ...(pulled.indexDigest ? { indexDigest: pulled.indexDigest } : {}),
    layers: manifest.layers.map((l, i) => ({ digest: l.digest, size: l.size, diffId: diffIds[i]!, chainId: chains[i]! })),
    platform: { os: config.os ?? "linux", architecture: config.architecture ?? "", ...(config.variant ? { variant: config.variant } : {}) },
    ...(config.created ? { created: config.created } : {}),
    pulledAt: new Date().toISOString(),
    size: manifest.layers.reduce((a, l) => a + l.size, 0),
    ...(extraBlobs.length ? { platformBlobs: extraBlobs } : {}),
  };
  // By digest, docker records no tag; the name is kept with the digest.
  await new ImageStore(opts.dataRoot).save(record, [canonicalReference(ref)]);
  return record;
}
