// What `image rm` and `image prune` may take away, decided on a snapshot of the image
// index and the containers that name images (pure: no files touched, unit-tested).
//
// docker's rules, as husk applies them:
// - by name: drop that name. An image goes with its last name, unless a container uses
//   it: then rm refuses ("must force"); with --force the name goes and the image stays,
//   nameless, until no container uses it (a later prune takes it).
// - by id: drop every name. Refused without --force when the names span several
//   repositories, or when a container uses the image.
// - a blob or an unpacked layer goes only when no remaining image refers to it.
import { HuskError } from "../runtime/errors.ts";
import type { ContainerRef } from "./container-refs.ts";
import type { ImageRecord } from "./image-store.ts";

export interface IndexView {
  images: Record<string, ImageRecord>;
  /** canonical reference -> image id */
  tags: Record<string, string>;
}

export interface RemovalPlan {
  untag: string[];
  /** Set when the image record itself goes. */
  deleteImage?: string;
}

const short = (id: string) => id.replace(/^sha256:/, "").slice(0, 12);

export function namesOf(view: IndexView, id: string): string[] {
  return Object.keys(view.tags).filter((n) => view.tags[n] === id).sort();
}

/** The repository part of a canonical reference (without tag or digest). */
function repositoryOf(name: string): string {
  const at = name.indexOf("@");
  const base = at >= 0 ? name.slice(0, at) : name;
  const colon = base.lastIndexOf(":");
  return colon > base.lastIndexOf("/") ? base.slice(0, colon) : base;
}

/**
 * `byName` is the canonical name when the user named the image by one of its names,
 * undefined when by id. `users` are the containers whose record names this image.
 */
export function planRemoval(view: IndexView, id: string, byName: string | undefined, users: ContainerRef[], force: boolean, typed: string): RemovalPlan {
  const names = namesOf(view, id);
  const user = users[0] ? `${short(users[0].id)}${users[0].name ? ` (${users[0].name})` : ""}` : "";
  if (byName) {
    const last = names.length === 1;
    if (last && users.length && !force) {
      throw new HuskError(`conflict: unable to remove repository reference "${typed}" (must force) - container ${user} is using its referenced image ${short(id)}`, "remove the container first, or use --force to drop the name and keep the image");
    }
    return { untag: [byName], ...(last && !users.length ? { deleteImage: id } : {}) };
  }
  if (!force && new Set(names.map(repositoryOf)).size > 1) {
    throw new HuskError(`conflict: unable to delete ${short(id)} (must be forced) - image is referenced in multiple repositories`, "remove it by name, or use --force");
  }
  if (!force && users.length) {
    throw new HuskError(`conflict: unable to delete ${short(id)} (must be forced) - image is being used by container ${user}`, "remove the container first, or use --force to drop its names and keep the image");
  }
  return { untag: names, ...(users.length ? {} : { deleteImage: id }) };
}

/** Blobs and chain ids of `record` that no image in `remaining` refers to. */
export function orphansOf(record: ImageRecord, remaining: Iterable<ImageRecord>): { digests: string[]; chains: string[] } {
  const blobs = new Set<string>();
  const chains = new Set<string>();
  for (const r of remaining) {
    for (const d of digestsOf(r)) blobs.add(d);
    for (const l of r.layers) chains.add(l.chainId);
  }
  return {
    digests: [...new Set(digestsOf(record))].filter((d) => !blobs.has(d)),
    chains: [...new Set(record.layers.map((l) => l.chainId))].filter((c) => !chains.has(c)),
  };
}

/** Every blob an image record keeps alive. */
export function digestsOf(r: ImageRecord): string[] {
  return [r.id, r.manifestDigest, ...(r.indexDigest ? [r.indexDigest] : []), ...r.layers.map((l) => l.digest), ...(r.platformBlobs ?? [])];
}

/** Image ids `image prune` removes: nameless ones (or, with `all`, every one) that no container uses. */
export function pruneCandidates(view: IndexView, usedBy: ReadonlySet<string>, all: boolean): string[] {
  const named = new Set(Object.values(view.tags));
  return Object.keys(view.images)
    .filter((id) => !usedBy.has(id) && (all || !named.has(id)))
    .sort();
}
