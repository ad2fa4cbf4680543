// The attachment cache: what an ADD used and what it returned, so that DEL and CHECK get
// the same configuration and the prevResult the spec asks for, even after the conflist
// on disk changed. One JSON file per attachment, named like libcni's
// (<network>-<container id>-<ifname>), written atomically.
//
// It lives under husk's --data-root (<data-root>/cni/results), not --root, for the same
// reason libcni keeps /var/lib/cni/results: IPAM leases (host-local's files) outlive a
// reboot, so the record that lets DEL free them must outlive it too. Keeping it under
// husk's own data root (not /var/lib/cni) keeps every husk instance and test apart.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { CniResult, NetConfList, RuntimeConf } from "./types.ts";

export interface CacheEntry {
  kind: "huskCniCacheV1";
  network: string;
  /** the husk network (id) the attachment belongs to; several may use one CNI network */
  owner?: string;
  containerId: string;
  ifName: string;
  netns: string;
  /** the list exactly as ADD used it */
  config: NetConfList;
  args: RuntimeConf["args"];
  capabilityArgs: RuntimeConf["capabilityArgs"];
  result: CniResult;
  created: string;
}

export class ResultCache {
  constructor(readonly dir: string) {}

  private file(network: string, containerId: string, ifName: string): string {
    for (const part of [network, containerId, ifName]) if (!/^[a-zA-Z0-9_.-]+$/.test(part)) throw new Error(`cannot cache CNI result: "${part}" is not a plain name`);
    return join(this.dir, `${network}-${containerId}-${ifName}`);
  }

  get(network: string, containerId: string, ifName: string): CacheEntry | undefined {
    try {
      const e = JSON.parse(readFileSync(this.file(network, containerId, ifName), "utf8"));
      return e?.kind === "huskCniCacheV1" ? (e as CacheEntry) : undefined;
    } catch {
      return undefined;
    }
  }

  put(e: CacheEntry): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const final = this.file(e.network, e.containerId, e.ifName);
    const tmp = `${final}.tmp-${process.pid}`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(e));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, final);
  }

  remove(network: string, containerId: string, ifName: string): void {
    rmSync(this.file(network, containerId, ifName), { force: true });
  }

  /** Every entry of `network`. */
  list(network: string): CacheEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: CacheEntry[] = [];
    for (const n of names) {
      if (!n.startsWith(`${network}-`) || n.includes(".tmp-")) continue;
      try {
        const e = JSON.parse(readFileSync(join(this.dir, n), "utf8")) as CacheEntry;
        if (e?.kind === "huskCniCacheV1" && e.network === network) out.push(e);
      } catch {}
    }
    return out;
  }
}
