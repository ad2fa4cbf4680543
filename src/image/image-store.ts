// The images husk knows: one msgpack index under <data-root>/images.msgpack, changed
// under a lock. An image is identified by its config digest (docker's image id) and may
// carry several names. Removing the last name removes the image, and the blobs no other
// image uses.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { Packr } from "msgpackr/pack";
import { addon } from "../native/addon.ts";
import { HuskError } from "../runtime/errors.ts";
import { writeFileAtomic } from "../state/atomic-file.ts";
import type { ContentStore } from "./content-store.ts";
import type { LayerStore } from "./layer-store.ts";
import { canonicalReference, parseReference } from "./reference.ts";

export interface ImageRecord {
  /** The config digest (docker's image id). */
  id: string;
  manifestDigest: string;
  indexDigest?: string;
  /** Layer blob digests, bottom first, and their chain ids. */
  layers: { digest: string; size: number; diffId: string; chainId: string }[];
  platform: { os: string; architecture: string; variant?: string };
  created?: string;
  pulledAt: string;
  size: number;
}

interface Index {
  version: 1;
  images: Record<string, ImageRecord>;
  /** canonical reference -> image id */
  tags: Record<string, string>;
}

const packr = new Packr({ useRecords: false, moreTypes: false });

export class ImageStore {
  private readonly file: string;

  constructor(readonly root: string) {
    this.file = `${root}/images.msgpack`;
  }

  private load(): Index {
    if (!existsSync(this.file)) return { version: 1, images: {}, tags: {} };
    return packr.unpack(readFileSync(this.file)) as Index;
  }

  private async locked<T>(fn: (index: Index) => T): Promise<T> {
    mkdirSync(this.root, { recursive: true });
    const fd = openSync(`${this.root}/images.lock`, "a", 0o600);
    try {
      addon().flock(fd, true, true);
      const index = this.load();
      const out = fn(index);
      writeFileAtomic(this.file, packr.pack(index));
      return out;
    } finally {
      closeSync(fd);
    }
  }

  list(): { record: ImageRecord; names: string[] }[] {
    const index = this.load();
    return Object.values(index.images).map((record) => ({
      record,
      names: Object.entries(index.tags).filter(([, id]) => id === record.id).map(([name]) => name).sort(),
    }));
  }

  /** A name (busybox, busybox:1, ...) or an id or unique id prefix (sha256:ab..., ab...). */
  resolve(text: string): ImageRecord {
    const index = this.load();
    const prefix = text.startsWith("sha256:") ? text : `sha256:${text}`;
    if (/^sha256:[0-9a-f]{4,64}$/.test(prefix)) {
      const hits = Object.keys(index.images).filter((id) => id.startsWith(prefix));
      if (hits.length === 1) return index.images[hits[0]!]!;
      if (hits.length > 1) throw new HuskError(`image id prefix "${text}" is ambiguous`, "give more characters");
    }
    let name: string;
    try {
      name = canonicalReference(parseReference(text));
    } catch {
      throw new HuskError(`no such image: ${text}`);
    }
    const id = index.tags[name];
    if (!id || !index.images[id]) throw new HuskError(`no such image: ${text}`, "pull it first ('husk image pull')");
    return index.images[id]!;
  }

  async save(record: ImageRecord, names: string[]): Promise<void> {
    await this.locked((index) => {
      index.images[record.id] = record;
      for (const n of names) index.tags[n] = record.id;
    });
  }

  /** Drop a name; the image goes when its last name does, with the blobs and unpacked
   * layers no other image uses. */
  async remove(text: string, content: ContentStore, layers: LayerStore): Promise<{ untagged: string[]; deleted?: string }> {
    const record = this.resolve(text);
    const result = await this.locked((index) => {
      const byName = (() => {
        try {
          return canonicalReference(parseReference(text));
        } catch {
          return undefined;
        }
      })();
      const names = Object.keys(index.tags).filter((n) => index.tags[n] === record.id);
      // By name: drop that name only. By id: drop every name.
      const untag = byName && index.tags[byName] === record.id ? [byName] : names;
      for (const n of untag) delete index.tags[n];
      const stillNamed = Object.values(index.tags).includes(record.id);
      if (stillNamed) return { untagged: untag, orphaned: [] as string[], orphanedChains: [] as string[] };
      delete index.images[record.id];
      const inUse = new Set(Object.values(index.images).flatMap((r) => [r.id, r.manifestDigest, ...(r.indexDigest ? [r.indexDigest] : []), ...r.layers.map((l) => l.digest)]));
      const mine = [record.id, record.manifestDigest, ...(record.indexDigest ? [record.indexDigest] : []), ...record.layers.map((l) => l.digest)];
      const chainsInUse = new Set(Object.values(index.images).flatMap((r) => r.layers.map((l) => l.chainId)));
      return {
        untagged: untag,
        orphaned: mine.filter((d) => !inUse.has(d)),
        orphanedChains: record.layers.map((l) => l.chainId).filter((c) => !chainsInUse.has(c)),
        deleted: record.id,
      };
    });
    for (const d of result.orphaned) content.remove(d);
    for (const c of result.orphanedChains) layers.remove(c);
    return { untagged: result.untagged, deleted: "deleted" in result ? result.deleted : undefined };
  }
}
