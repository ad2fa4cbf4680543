// Unpacked layers, shared by every image and container: <root>/layers/<chainid-hex>/
// holds `diff/` (the layer in overlay form) and `meta.json` (diff id, parent chain).
// A layer is unpacked once, into a temporary directory renamed into place only after
// its uncompressed content matched the image config's diff_id (and, when it was unpacked
// while downloading, after the download was verified too).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { HuskError } from "../runtime/errors.ts";
import { type ContentStore, digestHex } from "./content-store.ts";
import { decompress } from "./unpack/decompress.ts";
import { extractLayer, type ExtractOptions } from "./unpack/extract.ts";

/** OCI image-spec ChainID: the first layer's is its DiffID; then sha256(parent + " " + diffID). */
export function chainId(parent: string | undefined, diffId: string): string {
  if (!parent) return diffId;
  return `sha256:${new Bun.CryptoHasher("sha256").update(`${parent} ${diffId}`).digest("hex")}`;
}

/** The chain ids of every prefix of a layer stack, in order. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(chainId(out.at(-1), d));
  return out;
}

export interface LayerMeta {
  chainId: string;
  diffId: string;
  parent?: string;
  /** Bytes of the uncompressed layer tar (what history shows). */
  size?: number;
}

/**
 * The decompressed stream as the tar reader sees it, hashed on the way. The tar reader
 * stops at the end-of-archive marker and closes its source; the diff_id covers the whole
 * stream, so that close is deferred: `rest()` hashes what follows the marker, `close()`
 * ends the stream early (after a failure).
 */
function hashedTap(plain: AsyncIterable<Uint8Array>, hasher: Bun.CryptoHasher) {
  const it = plain[Symbol.asyncIterator]();
  let bytes = 0;
  const tap: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        const r = await it.next();
        if (!r.done) {
          hasher.update(r.value);
          bytes += r.value.length;
        }
        return r;
      },
      async return() {
        return { done: true, value: undefined };
      },
    }),
  };
  return {
    tap,
    async rest(): Promise<void> {
      for (let r = await it.next(); !r.done; r = await it.next()) {
        hasher.update(r.value);
        bytes += r.value.length;
      }
    },
    /** Uncompressed bytes seen so far (the layer's size once `rest()` is done). */
    bytes: () => bytes,
    async close(): Promise<void> {
      await it.return?.();
    },
  };
}

export interface UnpackOptions extends Omit<ExtractOptions, "decompress"> {
  /**
   * Settles when the compressed bytes are verified against the layer digest; rejects
   * when they are not. Given when the bytes are unpacked while they still download:
   * the layer is renamed into place only after it resolved.
   */
  verified?: () => Promise<void>;
}

export class LayerStore {
  constructor(readonly root: string) {}

  dir(chain: string): string {
    return `${this.root}/layers/${digestHex(chain)}`;
  }

  diffDir(chain: string): string {
    return `${this.dir(chain)}/diff`;
  }

  has(chain: string): boolean {
    return existsSync(`${this.dir(chain)}/meta.json`);
  }

  remove(chain: string): void {
    rmSync(this.dir(chain), { recursive: true, force: true });
  }

  /** Uncompressed size of an unpacked layer, when its meta recorded it. */
  size(chain: string): number | undefined {
    try {
      return this.meta(chain).size;
    } catch {
      return undefined;
    }
  }

  meta(chain: string): LayerMeta {
    return JSON.parse(readFileSync(`${this.dir(chain)}/meta.json`, "utf8")) as LayerMeta;
  }

  /**
   * Unpack the blob `layerDigest` (compressed or not) from `content` as the layer with
   * `diffId` on top of `parent`. Returns the chain id; a layer already there is reused.
   */
  async unpack(content: ContentStore, layerDigest: string, diffId: string, parent: string | undefined, opts: UnpackOptions): Promise<string> {
    if (this.has(chainId(parent, diffId))) return chainId(parent, diffId);
    const blob = Bun.file(content.blobPath(layerDigest)).stream() as unknown as AsyncIterable<Uint8Array>;
    return await this.unpackStream(blob, layerDigest, diffId, parent, opts);
  }

  /**
   * Unpack a layer from its compressed bytes (a stored blob, or one still downloading:
   * then `opts.verified` says when it is complete and correct). The layer is unpacked
   * into a temporary directory and renamed into place only when the uncompressed bytes
   * match `diffId` and the compressed ones were verified; otherwise nothing is kept.
   */
  async unpackStream(compressed: AsyncIterable<Uint8Array>, layerDigest: string, diffId: string, parent: string | undefined, opts: UnpackOptions): Promise<string> {
    const chain = chainId(parent, diffId);
    if (this.has(chain)) return chain;
    mkdirSync(`${this.root}/layers`, { recursive: true });
    const tmp = `${this.root}/layers/.tmp-${digestHex(chain)}-${process.pid}-${Date.now()}`;
    const { verified, ...extract } = opts;
    const hasher = new Bun.CryptoHasher("sha256");
    const plain = hashedTap(decompress(compressed, `layer ${layerDigest}`), hasher);
    try {
      mkdirSync(tmp);
      await extractLayer(plain.tap, `${tmp}/diff`, { ...extract, decompress: false });
      await plain.rest();
      const got = `sha256:${hasher.digest("hex")}`;
      if (got !== diffId) {
        throw new HuskError(`layer ${layerDigest}: uncompressed content has digest ${got}, the image config says ${diffId}`, "the image is corrupt; nothing was kept");
      }
      await verified?.();
      const meta: LayerMeta = { chainId: chain, diffId, ...(parent ? { parent } : {}), size: plain.bytes() };
      writeFileSync(`${tmp}/meta.json`, JSON.stringify(meta));
      try {
        renameSync(tmp, this.dir(chain));
      } catch (e) {
        // Another pull unpacked the same layer first: theirs is as good as ours.
        if (!this.has(chain)) throw e;
        rmSync(tmp, { recursive: true, force: true });
      }
      return chain;
    } catch (e) {
      await plain.close().catch(() => {});
      rmSync(tmp, { recursive: true, force: true });
      // Bytes that fail to unpack while still downloading: a download that then fails
      // its verification explains them better (that error is thrown instead).
      if (verified) await verified();
      throw e;
    }
  }
}
