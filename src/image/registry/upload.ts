// The push side of the distribution API for one blob: HEAD first (the registry may have
// it), then a cross-repository mount when another repository of the same registry holds
// it, otherwise an upload session: one PUT for a small blob, PATCH chunks for a big one,
// closed by a PUT with the digest. The registry verifies the digest; so do we, on its answer.
import { HuskError } from "../../runtime/errors.ts";
import type { ImageReference } from "../reference.ts";
import type { RegistryClient } from "./client.ts";
import { httpError } from "./client.ts";
import type { Descriptor } from "./manifest.ts";

/** Blobs up to this size go up in one PUT; bigger ones in PATCH chunks of this size. */
export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;

export type BlobOutcome = "exists" | "mounted" | "pushed";

export interface UploadBlobOptions {
  /** Repositories on the same registry that may hold the blob (tried for a mount). */
  mountFrom?: string[];
  chunkSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export function pushScope(ref: ImageReference): string {
  return `repository:${ref.repository}:pull,push`;
}

const OCTETS = "application/octet-stream";

/** An upload's Location may be relative; it carries the session state in its query. */
function locationOf(client: RegistryClient, ref: ImageReference, res: Response, what: string): URL {
  const loc = res.headers.get("location");
  if (!loc) throw new HuskError(`${what}: the registry answered ${res.status} without a Location`, "the registry does not speak the distribution API's upload protocol");
  return new URL(loc, `${client.baseUrl(ref.registry)}/`);
}

async function drain(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

/** Push `blob` (the bytes of `desc`) to `ref`'s repository unless it is there already. */
export async function uploadBlob(client: RegistryClient, ref: ImageReference, desc: Descriptor, blob: Blob, opts: UploadBlobOptions = {}): Promise<BlobOutcome> {
  const name = `${ref.registry}/${ref.repository}`;
  const what = `${name}: blob ${desc.digest}`;
  const scope = pushScope(ref);
  if (blob.size !== desc.size) throw new HuskError(`${what}: the local copy has ${blob.size} bytes, the manifest says ${desc.size}`, "the image store is damaged; pull or load the image again");

  const head = await client.request(ref, `blobs/${desc.digest}`, {}, what, { method: "HEAD", scope });
  await drain(head);
  if (head.ok) return "exists";
  if (head.status !== 404) throw await client.authError(head, ref, `${what}: HEAD`);

  let session: URL | undefined;
  for (const from of opts.mountFrom ?? []) {
    if (from === ref.repository) continue;
    const q = `mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(from)}`;
    const res = await client.request(ref, `blobs/uploads/?${q}`, { "Content-Length": "0" }, `${what}: mount from ${from}`, {
      method: "POST",
      scope: `${scope} repository:${from}:pull`,
    });
    await drain(res);
    if (res.status === 201) return "mounted";
    // 202: the registry could not mount and opened an ordinary upload instead.
    if (res.status === 202) {
      session = locationOf(client, ref, res, what);
      break;
    }
    // Anything else (no access to `from`, say) only means no mount: upload normally.
  }
  if (!session) {
    const res = await client.request(ref, "blobs/uploads/", { "Content-Length": "0" }, `${what}: start upload`, { method: "POST", scope });
    if (res.status !== 202) throw await client.authError(res, ref, `${what}: start upload`);
    await drain(res);
    session = locationOf(client, ref, res, what);
  }

  const chunk = Math.max(1, opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
  let body: Blob | undefined = blob;
  if (desc.size > chunk) {
    // Chunked: each PATCH names its byte range; the registry answers with the next Location.
    for (let off = 0; off < desc.size; off += chunk) {
      const end = Math.min(desc.size, off + chunk);
      const res = await client.request(ref, "", { "Content-Type": OCTETS, "Content-Range": `${off}-${end - 1}`, "Content-Length": String(end - off) }, `${what}: upload bytes ${off}-${end - 1}`, {
        method: "PATCH",
        scope,
        url: session.href,
        body: blob.slice(off, end),
      });
      if (res.status !== 202) throw await httpError(res, `${what}: upload bytes ${off}-${end - 1}`);
      await drain(res);
      const range = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.get("range") ?? "");
      if (range && Number(range[1]) !== end - 1) {
        throw new HuskError(`${what}: the registry holds bytes 0-${range[1]} after a chunk that ended at ${end - 1}`, "the upload went out of step; push again");
      }
      session = locationOf(client, ref, res, what);
      opts.onProgress?.(end, desc.size);
    }
    body = undefined;
  }
  session.searchParams.set("digest", desc.digest);
  const put = await client.request(ref, "", { "Content-Type": OCTETS, "Content-Length": String(body ? desc.size : 0) }, `${what}: finish upload`, {
    method: "PUT",
    scope,
    url: session.href,
    ...(body ? { body } : {}),
  });
  if (put.status !== 201) throw await httpError(put, `${what}: finish upload`);
  await drain(put);
  const said = put.headers.get("docker-content-digest");
  if (said && said !== desc.digest) throw new HuskError(`${what}: the registry stored it as ${said}`, "the upload was corrupted on the way; push again");
  opts.onProgress?.(desc.size, desc.size);
  return "pushed";
}

/** PUT a manifest (or index) under a tag or its digest; returns the digest the registry reports. */
export async function putManifest(client: RegistryClient, ref: ImageReference, reference: string, bytes: Uint8Array, mediaType: string, digest: string): Promise<string> {
  const what = `${ref.registry}/${ref.repository}: manifest ${reference}`;
  const res = await client.request(ref, `manifests/${reference}`, { "Content-Type": mediaType }, what, { method: "PUT", scope: pushScope(ref), body: bytes });
  if (res.status !== 201) throw await client.authError(res, ref, what);
  await drain(res);
  const said = res.headers.get("docker-content-digest");
  if (said && said !== digest) throw new HuskError(`${what}: the registry stored it as ${said}, expected ${digest}`, "the registry changed the manifest; it is not a plain distribution registry");
  return digest;
}
