// The images husk knows: one msgpack index under <data-root>/images.msgpack, changed
// under a lock. An image is identified by its config digest (docker's image id) and may
// carry several names. Removing the last name removes the image, and the blobs no other
// image uses; what rm and prune may take is decided in removal.ts.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from "node:fs";
import { Packr } from "msgpackr/pack";
import { addon } from "../native/addon.ts";
import { HuskError } from "../runtime/errors.ts";
import { writeFileAtomic } from "../state/atomic-file.ts";
import type { ContainerRef } from "./container-refs.ts";
import type { ContentStore } from "./content-store.ts";
import type { LayerStore } from "./layer-store.ts";
import { canonicalReference, parseReference } from "./reference.ts";
import { digestsOf, namesOf, orphansOf, planRemoval, pruneCandidates } from "./removal.ts";

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
  /** Blobs of an index's other platforms, kept for a multi-arch push (pull --all-platforms). */
  platformBlobs?: string[];
}

interface Index {
  version: 1;
  images: Record<string, ImageRecord>;
  /** canonical reference -> image id */
  tags: Record<string, string>;
  /** canonical reference -> os/arch[/variant] -> image id: every platform saved under a
   * name (a name's tag moves to the last one saved), so run --platform can choose. */
  platforms?: Record<string, Record<string, string>>;
}

const packr = new Packr({ useRecords: false, moreTypes: false });

/** How the index keys a platform: os/arch[/variant], as --platform spells it. */
export function platformKey(p: ImageRecord["platform"]): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

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
      const key = platformKey(record.platform);
      for (const n of names) {
        index.tags[n] = record.id;
        ((index.platforms ??= {})[n] ??= {})[key] = record.id;
      }
    });
  }

  /** The image saved under `text` (a name) for platform `key` ("linux/arm64/v8"), when
   * one was; falls back to resolve() for ids and names saved with one platform only. */
  resolveForPlatform(text: string, key: string): ImageRecord {
    const index = this.load();
    let name: string | undefined;
    try {
      name = canonicalReference(parseReference(text));
    } catch {}
    const id = name ? index.platforms?.[name]?.[key] : undefined;
    if (id && index.images[id]) return index.images[id]!;
    return this.resolve(text);
  }

  /** Give the image `srcText` names another name (docker's `image tag`). A name that
   * pointed at another image moves; that image keeps its other names or becomes nameless. */
  async tag(srcText: string, target: string): Promise<{ id: string; name: string }> {
    const ref = parseReference(target);
    if (ref.digest) throw new HuskError(`invalid tag "${target}": a tag cannot carry a digest`, "use [registry/]name[:tag]");
    const name = canonicalReference(ref);
    const record = this.resolve(srcText);
    await this.locked((index) => {
      if (!index.images[record.id]) throw new HuskError(`no such image: ${srcText}`, "it was removed meanwhile");
      index.tags[name] = record.id;
    });
    return { id: record.id, name };
  }

  /**
   * Remove an image by name or id under docker's rules (see removal.ts): `users` are the
   * containers whose record names it. Blobs and unpacked layers go only when no other
   * image refers to them.
   */
  async remove(text: string, content: ContentStore, layers: LayerStore, opts: { force?: boolean; users?: ContainerRef[] } = {}): Promise<{ untagged: string[]; deleted?: string }> {
    const record = this.resolve(text);
    let byName: string | undefined;
    try {
      const r = parseReference(text);
      byName = canonicalReference(r);
    } catch {}
    return this.locked((index) => {
      if (!index.images[record.id]) throw new HuskError(`no such image: ${text}`, "it was removed meanwhile");
      const named = byName && index.tags[byName] === record.id ? byName : undefined;
      const plan = planRemoval(index, record.id, named, opts.users ?? [], opts.force ?? false, text);
      for (const n of plan.untag) {
        delete index.tags[n];
        delete index.platforms?.[n];
      }
      if (plan.deleteImage) this.dropImage(index, plan.deleteImage, content, layers);
      return { untagged: plan.untag, ...(plan.deleteImage ? { deleted: plan.deleteImage } : {}) };
    });
  }

  /** `image prune`: nameless images (every image with `all`) no container uses. */
  async prune(content: ContentStore, layers: LayerStore, opts: { all: boolean; usedBy: ReadonlySet<string> }): Promise<{ untagged: string[]; deleted: string[]; reclaimed: number }> {
    return this.locked((index) => {
      const out = { untagged: [] as string[], deleted: [] as string[], reclaimed: 0 };
      for (const id of pruneCandidates(index, opts.usedBy, opts.all)) {
        for (const n of namesOf(index, id)) {
          delete index.tags[n];
          out.untagged.push(n);
        }
        out.reclaimed += this.dropImage(index, id, content, layers);
        out.deleted.push(id);
      }
      return out;
    });
  }

  /** Every blob digest and chain id some image refers to (for cleaning up after a failed import). */
  referenced(): { digests: Set<string>; chains: Set<string> } {
    const images = Object.values(this.load().images);
    return { digests: new Set(images.flatMap(digestsOf)), chains: new Set(images.flatMap((r) => r.layers.map((l) => l.chainId))) };
  }

  /** Deletes an image record and what only it used; returns the blob bytes freed.
   * Runs under the lock, so a concurrent rm of a sibling image sees a consistent index. */
  private dropImage(index: Index, id: string, content: ContentStore, layers: LayerStore): number {
    const record = index.images[id]!;
    delete index.images[id];
    const orphans = orphansOf(record, Object.values(index.images));
    let freed = 0;
    for (const d of orphans.digests) {
      try {
        freed += statSync(content.blobPath(d)).size;
      } catch {}
      content.remove(d);
    }
    for (const c of orphans.chains) layers.remove(c);
    return freed;
  }
}
