// Container state directories under --root: one msgpack state file and one lock each.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { Packr } from "msgpackr/pack";
import { addon } from "../native/addon.ts";
import { HuskError } from "../runtime/errors.ts";
import { writeFileAtomic } from "./atomic-file.ts";
import { type ContainerState, STATE_VERSION } from "./container-state.ts";

const packr = new Packr({ useRecords: false, moreTypes: false });
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,1023}$/;

export function validateId(id: string): void {
  if (!ID_RE.test(id))
    throw new HuskError(
      `invalid container id "${id}"`,
      "ids start with a letter or digit and contain only letters, digits, '_', '.' and '-'",
    );
}

export class StateStore {
  readonly containersDir: string;

  constructor(readonly root: string) {
    this.containersDir = `${root}/containers`;
  }

  /** Every path the store builds goes through here, so a bad id never reaches the disk. */
  dir(id: string): string {
    validateId(id);
    return `${this.containersDir}/${id}`;
  }

  fifoPath(id: string): string {
    return `${this.dir(id)}/exec.fifo`;
  }

  exists(id: string): boolean {
    return existsSync(`${this.dir(id)}/state.msgpack`);
  }

  /** Makes the container's directory; fails if the id is taken. */
  createDir(id: string): void {
    validateId(id);
    for (let attempt = 0; ; attempt++) {
      mkdirSync(this.containersDir, { recursive: true, mode: 0o711 });
      try {
        mkdirSync(this.dir(id), { mode: 0o711 });
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EEXIST")
          throw new HuskError(`container "${id}" already exists`, `pick another id or run 'delete ${id}' first`);
        // A concurrent `delete` of the last container removed containers/ in between.
        if (code === "ENOENT" && attempt < 3) continue;
        throw e;
      }
    }
  }

  write(state: ContainerState): void {
    writeFileAtomic(`${this.dir(state.id)}/state.msgpack`, packr.pack(state));
  }

  read(id: string): ContainerState {
    validateId(id);
    let raw: Buffer;
    try {
      raw = readFileSync(`${this.dir(id)}/state.msgpack`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new HuskError(`container "${id}" does not exist`);
      throw e;
    }
    const state = packr.unpack(raw) as ContainerState;
    if (state.version !== STATE_VERSION)
      throw new HuskError(`container "${id}": state file version ${state.version} is not supported by this husk`);
    return state;
  }

  list(): string[] {
    try {
      return readdirSync(this.containersDir).filter((id) => existsSync(`${this.dir(id)}/state.msgpack`)).sort();
    } catch {
      return [];
    }
  }

  remove(id: string): void {
    rmSync(this.dir(id), { recursive: true, force: true });
    // The last container out leaves no empty directories behind.
    try {
      rmdirSync(this.containersDir);
    } catch {}
  }

  /** Holds an exclusive lock on the container for the duration of fn. */
  async withLock<T>(id: string, fn: () => Promise<T> | T): Promise<T> {
    let fd: number;
    try {
      fd = openSync(`${this.dir(id)}/lock`, "a", 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new HuskError(`container "${id}" does not exist`);
      throw e;
    }
    try {
      addon().flock(fd, true, true);
      return await fn();
    } finally {
      closeSync(fd); // closing drops the flock
    }
  }
}
