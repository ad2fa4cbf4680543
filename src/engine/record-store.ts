// The records of all engine containers: create with a unique name, find by id, id prefix
// or name (docker's rules), rename, remove. Name changes happen under one lock so two
// `run --name x` at once cannot both win.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Packr } from "msgpackr/pack";
import { addon } from "../native/addon.ts";
import { HuskError } from "../runtime/errors.ts";
import { writeFileAtomic } from "../state/atomic-file.ts";
import { checkName } from "./names.ts";
import { ContainerPaths, containersDir, type EngineRoots, ID_RE } from "./paths.ts";
import { type ContainerRecord, RECORD_VERSION } from "./record.ts";

const packr = new Packr({ useRecords: false, moreTypes: false });

export class RecordStore {
  constructor(readonly roots: EngineRoots) {}

  paths(id: string): ContainerPaths {
    return new ContainerPaths(this.roots, id);
  }

  private async namesLocked<T>(fn: () => T): Promise<T> {
    const dir = containersDir(this.roots);
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    const fd = openSync(`${dir}/.names.lock`, "a", 0o600);
    try {
      addon().flock(fd, true, true);
      return fn();
    } finally {
      closeSync(fd);
    }
  }

  ids(): string[] {
    try {
      return readdirSync(containersDir(this.roots)).filter((n) => ID_RE.test(n) && existsSync(this.paths(n).record));
    } catch {
      return [];
    }
  }

  read(id: string): ContainerRecord {
    let raw: Buffer;
    try {
      raw = readFileSync(this.paths(id).record);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new HuskError(`no such container: ${id}`, undefined, 125);
      throw e;
    }
    const rec = packr.unpack(raw) as ContainerRecord;
    if (rec.version !== RECORD_VERSION) throw new HuskError(`container ${id}: record version ${rec.version} is not supported by this husk`, undefined, 125);
    return rec;
  }

  /** Every record that can be read; a half-written or foreign one is skipped. */
  list(): ContainerRecord[] {
    const out: ContainerRecord[] = [];
    for (const id of this.ids()) {
      try {
        out.push(this.read(id));
      } catch {}
    }
    return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  /** docker's lookup: full id, then exact name, then a unique id prefix. */
  find(ref: string): ContainerRecord {
    const text = ref.startsWith("/") ? ref.slice(1) : ref;
    const all = this.list();
    const exact = all.find((r) => r.id === text) ?? all.find((r) => r.name === text);
    if (exact) return exact;
    if (/^[0-9a-f]+$/.test(text)) {
      const hits = all.filter((r) => r.id.startsWith(text));
      if (hits.length === 1) return hits[0]!;
      if (hits.length > 1) throw new HuskError(`container id prefix "${text}" is ambiguous (${hits.length} containers)`, "give more characters of the id, or the name", 125);
    }
    throw new HuskError(`no such container: ${ref}`, "see 'husk ps -a'", 125);
  }

  /** Writes a new record; fails when the name is taken. */
  async create(rec: ContainerRecord, pickName?: (taken: (n: string) => boolean) => string): Promise<ContainerRecord> {
    return this.namesLocked(() => {
      const names = new Set(this.list().map((r) => r.name));
      const name = rec.name ? checkName(rec.name) : pickName!((n) => names.has(n));
      if (names.has(name)) {
        const owner = this.list().find((r) => r.name === name)!;
        throw new HuskError(`the container name "${name}" is already in use by container ${owner.id.slice(0, 12)}`, "remove or rename that container, or pick another name", 125);
      }
      const out = { ...rec, name };
      mkdirSync(this.paths(rec.id).dataDir, { recursive: true, mode: 0o711 });
      this.write(out);
      return out;
    });
  }

  write(rec: ContainerRecord): void {
    // No fsync for --rm containers (three record writes per `run`): such a record lives
    // only while its container runs, and after a power loss that container is gone and
    // its volatile overlay cannot be mounted again; a torn record is skipped by list().
    writeFileAtomic(this.paths(rec.id).record, packr.pack(rec), 0o600, !rec.hostConfig?.AutoRemove);
  }

  async rename(id: string, newName: string): Promise<ContainerRecord> {
    const name = checkName(newName);
    return this.namesLocked(() => {
      const owner = this.list().find((r) => r.name === name);
      if (owner && owner.id !== id)
        throw new HuskError(`the container name "${name}" is already in use by container ${owner.id.slice(0, 12)}`, "pick another name", 125);
      const rec = { ...this.read(id), name };
      this.write(rec);
      return rec;
    });
  }

  /** Drops the record and everything under the container's data and live dirs. */
  remove(id: string): void {
    const p = this.paths(id);
    rmSync(p.dataDir, { recursive: true, force: true });
    rmSync(p.liveDir, { recursive: true, force: true });
  }
}

/** Holds the container's exclusive lock (under <root>/engine/<id>/) while fn runs. */
export async function withContainerLock<T>(paths: ContainerPaths, fn: () => Promise<T> | T): Promise<T> {
  mkdirSync(paths.liveDir, { recursive: true, mode: 0o711 });
  const fd = openSync(paths.lock, "a", 0o600);
  try {
    addon().flock(fd, true, true);
    return await fn();
  } finally {
    closeSync(fd);
  }
}
