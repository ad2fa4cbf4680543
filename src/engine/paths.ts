// Where one engine container lives on disk (docs/engine-design.md, "three places").
// Every path the engine builds comes from here, so the layout has one source of truth.

export interface EngineRoots {
  /** Live state: --root / HUSK_ROOT (default /run/husk). */
  root: string;
  /** Persistent data: --data-root / HUSK_DATA_ROOT (default /var/lib/husk). */
  dataRoot: string;
}

export const ID_RE = /^[0-9a-f]{64}$/;

export class ContainerPaths {
  constructor(
    readonly roots: EngineRoots,
    readonly id: string,
  ) {
    if (!ID_RE.test(id)) throw new Error(`internal: not a container id: ${id}`);
  }

  /** <data-root>/containers/<id>: record, config.json, logs, /etc bind sources. */
  get dataDir(): string {
    return `${this.roots.dataRoot}/containers/${this.id}`;
  }
  get record(): string {
    return `${this.dataDir}/record.msgpack`;
  }
  get bundle(): string {
    return this.dataDir;
  }
  get config(): string {
    return `${this.dataDir}/config.json`;
  }
  get log(): string {
    return `${this.dataDir}/container.log`;
  }
  etcFile(name: "hostname" | "hosts" | "resolv.conf"): string {
    return `${this.dataDir}/${name}`;
  }

  /** <root>/engine/<id>: status written by the monitor, attach socket, lock. */
  get liveDir(): string {
    return `${this.roots.root}/engine/${this.id}`;
  }
  get status(): string {
    return `${this.liveDir}/status.msgpack`;
  }
  get attachSocket(): string {
    return `${this.liveDir}/attach.sock`;
  }
  get lock(): string {
    return `${this.liveDir}/lock`;
  }
  get netns(): string {
    return `${this.roots.root}/netns/${this.id}`;
  }
}

export const containersDir = (roots: EngineRoots) => `${roots.dataRoot}/containers`;
export const volumesDir = (roots: EngineRoots) => `${roots.dataRoot}/volumes`;
export const eventsDir = (roots: EngineRoots) => `${roots.root}/engine/events`;
