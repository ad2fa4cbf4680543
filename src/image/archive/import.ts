// `husk image import`: a plain rootfs tarball (plain, gzip or zstd; a file or stdin)
// becomes a one-layer image. The layer is stored uncompressed, so its blob digest is its
// diff_id; the config gets the host's platform, the --change instructions and one history
// entry. A failure keeps nothing: the blob, if new, goes again.
import { existsSync } from "node:fs";
import { HuskError } from "../../runtime/errors.ts";
import { ContentStore } from "../content-store.ts";
import { applyChange, type ImageRunConfig } from "../import-changes.ts";
import { type ImageRecord, ImageStore } from "../image-store.ts";
import { LayerStore } from "../layer-store.ts";
import { canonicalReference, parseReference } from "../reference.ts";
import { MEDIA_TYPES } from "../registry/manifest.ts";
import { hostPlatform } from "../registry/platform.ts";
import { decompress } from "../unpack/decompress.ts";

export interface ImportOptions {
  dataRoot: string;
  root: boolean;
  changes?: string[];
  message?: string;
  /** The stream to read when the source is "-". */
  stdin?: AsyncIterable<Uint8Array>;
}

/** True when `block` is a tar header with a valid checksum, or the zero block that ends an empty archive. */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  if (block.every((b) => b === 0)) return true;
  const stored = Number.parseInt(new TextDecoder().decode(block.subarray(148, 156)).replace(/[\0 ]/g, ""), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return stored === sum;
}

/** Passes `chunks` through, failing early when the first block is not a tar header. */
async function* checkedTar(chunks: AsyncIterable<Uint8Array>, src: string): AsyncGenerator<Uint8Array> {
  const head: Uint8Array[] = [];
  let have = 0;
  let checked = false;
  for await (const c of chunks) {
    if (!checked) {
      head.push(c);
      have += c.length;
      if (have < 512) continue;
      if (!isTarHeader(Buffer.concat(head).subarray(0, 512))) throw new HuskError(`${src} is not a tar archive`, "give a rootfs tarball (tar, tar.gz or tar.zst)");
      checked = true;
      yield* head;
      continue;
    }
    yield c;
  }
  if (!checked) throw new HuskError(`${src} is not a tar archive (${have} bytes)`, "give a rootfs tarball (tar, tar.gz or tar.zst)");
}

export async function importRootfs(src: string, ref: string | undefined, opts: ImportOptions): Promise<ImageRecord> {
  // Everything that can be refused is checked before reading the input.
  const name = ref === undefined ? undefined : canonicalReference(parseReference(ref));
  if (ref !== undefined && parseReference(ref).digest) throw new HuskError(`invalid name "${ref}": an imported image cannot be named by digest`, "use [registry/]name[:tag]");
  const runConfig: ImageRunConfig = {};
  for (const c of opts.changes ?? []) applyChange(runConfig, c);
  let input: AsyncIterable<Uint8Array>;
  if (src === "-") {
    if (!opts.stdin) throw new HuskError("no stdin to import from");
    input = opts.stdin;
  } else {
    if (!existsSync(src)) throw new HuskError(`${src}: no such file or directory: ENOENT`);
    input = Bun.file(src).stream() as unknown as AsyncIterable<Uint8Array>;
  }

  const content = new ContentStore(opts.dataRoot);
  const layers = new LayerStore(opts.dataRoot);
  const images = new ImageStore(opts.dataRoot);
  const made: string[] = [];
  let chain: string | undefined;
  try {
    const layer = await content.ingestAny(checkedTar(decompress(input, src), src));
    if (layer.created) made.push(layer.digest);
    const hadLayer = layers.has(layer.digest);
    chain = await layers.unpack(content, layer.digest, layer.digest, undefined, { root: opts.root });
    if (hadLayer) chain = undefined; // not ours to clean up
    const created = new Date().toISOString();
    const platform = hostPlatform();
    const config = {
      created,
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      os: platform.os,
      config: runConfig,
      rootfs: { type: "layers", diff_ids: [layer.digest] },
      history: [{ created, comment: opts.message || `Imported from ${src}` }],
    };
    const configBytes = new TextEncoder().encode(JSON.stringify(config));
    const configDigest = await content.put(configBytes);
    made.push(configDigest);
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: configBytes.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: layer.digest, size: layer.size }],
    };
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
    const manifestDigest = await content.put(manifestBytes);
    made.push(manifestDigest);
    const record: ImageRecord = {
      id: configDigest,
      manifestDigest,
      layers: [{ digest: layer.digest, size: layer.size, diffId: layer.digest, chainId: layer.digest }],
      platform,
      created,
      pulledAt: created,
      size: layer.size,
    };
    await images.save(record, name ? [name] : []);
    return record;
  } catch (e) {
    const used = images.referenced();
    for (const d of made) if (!used.digests.has(d)) content.remove(d);
    if (chain && !used.chains.has(chain)) layers.remove(chain);
    throw e;
  }
}
