// Manifest media types and shapes (OCI image spec and Docker v2 schema 2).
import { HuskError } from "../../runtime/errors.ts";
import type { Platform } from "./platform.ts";

export const MEDIA_TYPES = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerSchema1: "application/vnd.docker.distribution.manifest.v1+json",
  dockerSchema1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
} as const;

/** The Accept header for a manifest GET: images and indexes of both families. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.dockerList].join(", ");

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform & { "os.version"?: string; "os.features"?: string[] };
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export type ManifestKind = "manifest" | "index";

/** Largest manifest husk reads (the OCI distribution spec suggests 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function isDescriptor(d: unknown): d is Descriptor {
  const o = d as Descriptor;
  return !!o && typeof o === "object" && typeof o.digest === "string" && typeof o.size === "number" && Number.isSafeInteger(o.size) && o.size >= 0;
}

/**
 * Parse and classify manifest bytes. `contentType` is the response's Content-Type, used when
 * the body has no mediaType field (OCI allows that).
 */
export function parseManifest(bytes: Uint8Array, contentType: string | null, what: string): { kind: ManifestKind; mediaType: string; body: ImageManifest | ImageIndex } {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HuskError(`${what}: the manifest is not valid JSON`, "the registry served something other than a manifest");
  }
  if (!body || typeof body !== "object") throw new HuskError(`${what}: the manifest is not a JSON object`);
  const ct = contentType?.split(";")[0]?.trim();
  let mediaType = typeof body.mediaType === "string" ? body.mediaType : ct || "";
  if (body.schemaVersion === 1 || mediaType === MEDIA_TYPES.dockerSchema1 || mediaType === MEDIA_TYPES.dockerSchema1Signed) {
    throw new HuskError(`${what}: Docker schema 1 manifests are not supported`, "push the image again with a current client (schema 2 or OCI)");
  }
  if (body.schemaVersion !== 2) throw new HuskError(`${what}: unsupported manifest schemaVersion ${String(body.schemaVersion)}`);
  if (!mediaType || mediaType === "application/json") mediaType = Array.isArray(body.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
  if (mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList) {
    if (!Array.isArray(body.manifests) || !body.manifests.every(isDescriptor)) throw new HuskError(`${what}: malformed index (manifests)`);
    return { kind: "index", mediaType, body: body as unknown as ImageIndex };
  }
  if (mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest) {
    if (!isDescriptor(body.config) || !Array.isArray(body.layers) || !body.layers.every(isDescriptor)) {
      throw new HuskError(`${what}: malformed image manifest (config/layers)`);
    }
    return { kind: "manifest", mediaType, body: body as unknown as ImageManifest };
  }
  throw new HuskError(`${what}: unsupported manifest media type "${mediaType}"`, "husk pulls OCI and Docker schema 2 images and indexes");
}
