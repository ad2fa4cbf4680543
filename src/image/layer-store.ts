// Unpacked layers, shared by every image and container: <root>/layers/<chainid-hex>/
// holds `diff/` (the layer in overlay form) and `meta.json` (diff id, parent chain).
// A layer is unpacked once, into a temporary directory renamed into place only after
// its uncompressed content matched the image config's diff_id.
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

/** Hashes the bytes that pass through (the uncompressed tar, for the diff_id). */
async function* hashing(chunks: AsyncIterable<Uint8Array>, hasher: Bun.CryptoHasher, count: { bytes: number }): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    hasher.update(c);
    count.bytes += c.length;
    yield c;
  }
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
  async unpack(content: ContentStore, layerDigest: string, diffId: string, parent: string | undefined, opts: Omit<ExtractOptions, "decompress">): Promise<string> {
    const chain = chainId(parent, diffId);
    if (this.has(chain)) return chain;
    mkdirSync(`${this.root}/layers`, { recursive: true });
    const tmp = `${this.root}/layers/.tmp-${digestHex(chain)}-${process.pid}-${Date.now()}`;
    try {
      mkdirSync(tmp);
      const hasher = new Bun.CryptoHasher("sha256");
      const count = { bytes: 0 };
      const blob = Bun.file(content.blobPath(layerDigest)).stream() as unknown as AsyncIterable<Uint8Array>;
      await extractLayer(hashing(decompress(blob, `layer ${layerDigest}`), hasher, count), `${tmp}/diff`, { ...opts, decompress: false });
      const got = `sha256:${hasher.digest("hex")}`;
      if (got !== diffId)
        throw new HuskError(`layer ${layerDigest}: uncompressed content has digest ${got}, the image config says ${diffId}`, "the image is corrupt; nothing was kept");
      const meta: LayerMeta = { chainId: chain, diffId, ...(parent ? { parent } : {}), size: count.bytes };
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
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }
}
