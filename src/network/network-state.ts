// The per-network state file: leases and endpoints, in msgpack under an flock. Every change
// is one synchronous read-modify-write inside the lock, so parallel husk processes never
// hand out the same address. (Synchronous on purpose: two async holders in one process
// would each flock their own fd and wait on each other.)
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Packr } from "msgpackr/pack";
import { addon } from "../native/addon.ts";
import { writeFileAtomic } from "../state/atomic-file.ts";
import type { PortMapping } from "../plugin/api.ts";

const packr = new Packr({ useRecords: false, moreTypes: false });

export interface Lease {
  owner: string;        // container id
  netnsPath?: string;   // to tell a live attachment from a crashed one
  at: string;
}

export interface Endpoint {
  containerId: string;
  containerName: string;
  aliases: string[];
  netnsPath: string;
  ifname: string;
  hostVeth: string;
  ipv4?: string;
  ipv6?: string;
  ports: PortMapping[];
  hostsFile?: string;
}

export interface NetworkState {
  version: 1;
  leases: Record<string, Lease>;
  endpoints: Record<string, Endpoint>;
  /** last address handed out per family, so the next search starts after it */
  last: { 4?: string; 6?: string };
}

const empty = (): NetworkState => ({ version: 1, leases: {}, endpoints: {}, last: {} });

export function readState(dir: string): NetworkState {
  return readFile(dir, "state", empty);
}

/** Runs fn on the state under the network's lock and writes it back if fn returns true
 * in `changed` (or always, when fn returns nothing). */
export function withState<T>(dir: string, fn: (s: NetworkState) => T): T {
  return withLockedFile(dir, "state", empty, fn);
}

/** The general form: <dir>/<file>.msgpack read, changed by fn and written back (only if
 * changed), all under <dir>/<file>.lock. */
export function withLockedFile<S extends object, T>(dir: string, file: string, init: () => S, fn: (s: S) => T): T {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fd = openSync(join(dir, `${file}.lock`), "a", 0o600);
  try {
    addon().flock(fd, true, true);
    const state = readFile(dir, file, init);
    const before = packr.pack(state);
    const result = fn(state);
    const after = packr.pack(state);
    if (!before.equals(after)) writeFileAtomic(join(dir, `${file}.msgpack`), after);
    return result;
  } finally {
    closeSync(fd); // closing the fd drops the lock
  }
}

export function readFile<S extends object>(dir: string, file: string, init: () => S): S {
  try {
    return { ...init(), ...(packr.unpack(readFileSync(join(dir, `${file}.msgpack`))) as S) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return init();
    throw e;
  }
}

export function stateExists(dir: string): boolean {
  return existsSync(join(dir, "state.msgpack"));
}
