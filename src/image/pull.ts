// `husk image pull`: manifest, config and layers into the content store, each layer
// unpacked once into the layer store, then the image recorded under its name.
import { HuskError } from "../runtime/errors.ts";
import { ContentStore } from "./content-store.ts";
import { ImageStore, type ImageRecord } from "./image-store.ts";
import { chainIds, LayerStore } from "./layer-store.ts";
import { canonicalReference, parseReference } from "./reference.ts";
import { type PullProgress, RegistryClient } from "./registry/client.ts";


export interface PullImageOptions {
  dataRoot: string;
  platform?: string;
  /** Registries reached over plain http besides loopback ones (docker's rule). */
  insecure?: string[];
  onProgress?: (ev: PullProgress | { kind: "unpack"; digest: string; chainId: string }) => void;
  /** Running as root: keep ownership and device nodes. */
  root: boolean;
}

/** docker talks plain http to registries on loopback without being told to. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export async function pullImage(text: string, opts: PullImageOptions): Promise<ImageRecord> {
  const ref = parseReference(text);
  const insecure = [...(opts.insecure ?? []), ...(isLoopbackRegistry(ref.registry) ? [ref.registry] : [])];
  const client = new RegistryClient({ insecure });
  const content = new ContentStore(opts.dataRoot);
  const layers = new LayerStore(opts.dataRoot);
  const pulled = await client.pull(ref, content, { platform: opts.platform, onProgress: opts.onProgress });
  const config = pulled.config as { rootfs?: { diff_ids?: string[] }; os?: string; architecture?: string; variant?: string; created?: string };
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== pulled.manifest.layers.length)
    throw new HuskError(`${text}: the config lists ${diffIds.length} diff ids for ${pulled.manifest.layers.length} layers`, "the image is malformed");
  const chains = chainIds(diffIds);
  let parent: string | undefined;
  for (const [i, l] of pulled.manifest.layers.entries()) {
    parent = await layers.unpack(content, l.digest, diffIds[i]!, parent, { root: opts.root });
    opts.onProgress?.({ kind: "unpack", digest: l.digest, chainId: chains[i]! });
  }
  const record: ImageRecord = {
    id: pulled.manifest.config.digest,
    manifestDigest: pulled.manifestDigest,
    ...(pulled.indexDigest ? { indexDigest: pulled.indexDigest } : {}),
    layers: pulled.manifest.layers.map((l, i) => ({ digest: l.digest, size: l.size, diffId: diffIds[i]!, chainId: chains[i]! })),
    platform: { os: config.os ?? "linux", architecture: config.architecture ?? "", ...(config.variant ? { variant: config.variant } : {}) },
    ...(config.created ? { created: config.created } : {}),
    pulledAt: new Date().toISOString(),
    size: pulled.manifest.layers.reduce((a, l) => a + l.size, 0),
  };
  // By digest, docker records no tag; the name is kept with the digest.
  await new ImageStore(opts.dataRoot).save(record, [canonicalReference(ref)]);
  return record;
}
