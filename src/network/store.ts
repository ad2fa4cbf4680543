// Networks on disk: <data-root>/networks/<name>/network.msgpack (the config) next to the
// driver's state. Names are unique; any unique id prefix finds a network too.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Packr } from "msgpackr/pack";
import type { NetworkConfig } from "../plugin/api.ts";
import { HuskError } from "../runtime/errors.ts";
import { writeFileAtomic } from "../state/atomic-file.ts";

const packr = new Packr({ useRecords: false, moreTypes: false });
export const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

export class NetworkStore {
  readonly dir: string;
  constructor(readonly dataRoot: string) {
    this.dir = join(dataRoot, "networks");
  }

  networkDir(name: string): string {
    if (!NAME_RE.test(name)) throw new HuskError(`invalid network name "${name}"`, "names start with a letter or digit and contain only letters, digits, '_', '.' and '-'");
    return join(this.dir, name);
  }

  has(name: string): boolean {
    return existsSync(join(this.networkDir(name), "network.msgpack"));
  }

  /** Stores a new network; fails if the name is taken. */
  add(net: NetworkConfig): void {
    const dir = this.networkDir(net.name);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (this.has(net.name)) throw new HuskError(`network "${net.name}" already exists`, "pick another name or remove it with 'husk network rm'");
    }
    writeFileAtomic(join(dir, "network.msgpack"), packr.pack(net));
  }

  list(): NetworkConfig[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).sort();
    } catch {
      return [];
    }
    const out: NetworkConfig[] = [];
    for (const n of names) {
      try {
        out.push(packr.unpack(readFileSync(join(this.dir, n, "network.msgpack"))) as NetworkConfig);
      } catch {}
    }
    return out;
  }

  /** By exact name, then by exact id, then by unique id prefix. */
  find(ref: string): NetworkConfig | undefined {
    if (NAME_RE.test(ref) && this.has(ref)) return packr.unpack(readFileSync(join(this.networkDir(ref), "network.msgpack"))) as NetworkConfig;
    const all = this.list();
    const exact = all.find((n) => n.id === ref);
    if (exact) return exact;
    const byPrefix = ref.length >= 3 ? all.filter((n) => n.id.startsWith(ref)) : [];
    if (byPrefix.length > 1) throw new HuskError(`network id prefix "${ref}" is ambiguous`, "use more characters or the name");
    return byPrefix[0];
  }

  get(ref: string): NetworkConfig {
    const n = this.find(ref);
    if (!n) throw new HuskError(`network "${ref}" not found`, "see 'husk network ls'");
    return n;
  }

  remove(name: string): void {
    rmSync(this.networkDir(name), { recursive: true, force: true });
  }
}
