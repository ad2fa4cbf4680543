// Pulling through mirrors, and pulling every platform of an index.
import type { ContentStore } from "../content-store.ts";
import type { ImageReference } from "../reference.ts";
import type { PullOptions, PullResult, RegistryClient } from "./client.ts";
import type { ImageIndex, ImageManifest } from "./manifest.ts";

/**
 * Try `attempt` on each endpoint in order (mirrors first, the registry last) and return
 * the first success. A mirror's failure is reported and the next is tried; the last
 * endpoint's error is the one thrown. Blobs a failed attempt stored are verified, so the
 * next attempt reuses them.
 */
export async function tryEndpoints<T>(endpoints: string[], attempt: (endpoint: string) => Promise<T>, onFail?: (endpoint: string, error: unknown) => void): Promise<T> {
  for (const [i, endpoint] of endpoints.entries()) {
    try {
      return await attempt(endpoint);
    } catch (e) {
      if (i === endpoints.length - 1) throw e;
      onFail?.(endpoint, e);
    }
  }
  throw new Error("tryEndpoints: no endpoints");
}

/**
 * After a pull from an index, fetch the other platforms' manifests, configs and layers
 * into the content store (not unpacked), so the whole index can be pushed again.
 * Returns the digests stored that way.
 */
export async function pullOtherPlatforms(client: RegistryClient, ref: ImageReference, pulled: PullResult, content: ContentStore, onProgress?: PullOptions["onProgress"]): Promise<string[]> {
  if (!pulled.indexDigest) return [];
  const index = JSON.parse(content.read(pulled.indexDigest).toString()) as ImageIndex;
  const out: string[] = [];
  for (const d of index.manifests) {
    if (d.digest === pulled.manifestDigest) continue;
    const r = await client.pull({ registry: ref.registry, repository: ref.repository, digest: d.digest }, content, { onProgress });
    out.push(d.digest, r.manifest.config.digest, ...r.manifest.layers.map((l: ImageManifest["layers"][number]) => l.digest));
  }
  return [...new Set(out)];
}
