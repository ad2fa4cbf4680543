// Address management for one network: which addresses a subnet (or its --ip-range) hands
// out, and picking the next free one. Pure logic; the lease file and its lock are in
// network-state.ts.
import { type Cidr, contains, formatIp, nth, parseCidr, parseIp, size } from "./cidr.ts";
import type { SubnetConfig } from "../plugin/api.ts";
import { HuskError } from "../runtime/errors.ts";

export interface Pool {
  subnet: Cidr;
  range: Cidr;
  gateway?: string;
}

export function makePool(s: SubnetConfig): Pool {
  const subnet = parseCidr(s.subnet);
  if (!subnet) throw new HuskError(`subnet "${s.subnet}" is not a CIDR prefix`, "write it like 10.89.0.0/24 or fd00:89::/64");
  const range = s.ipRange ? parseCidr(s.ipRange) : subnet;
  if (!range) throw new HuskError(`ip range "${s.ipRange}" is not a CIDR prefix`);
  if (range.family !== subnet.family || range.base < subnet.base || range.base + size(range) > subnet.base + size(subnet))
    throw new HuskError(`ip range ${s.ipRange} is not inside subnet ${s.subnet}`);
  if (s.gateway) {
    const gw = parseIp(s.gateway);
    if (!gw || !contains(subnet, gw.family, gw.value)) throw new HuskError(`gateway ${s.gateway} is not inside subnet ${s.subnet}`);
  }
  return { subnet, range, gateway: s.gateway };
}

/** Whether `addr` may be leased: inside the range, not the network/broadcast address, not the gateway. */
export function usable(pool: Pool, addr: bigint): boolean {
  const { subnet } = pool;
  if (!contains(pool.range, subnet.family, addr)) return false;
  if (addr === subnet.base) return false;
  if (subnet.family === 4 && subnet.prefix < 31 && addr === subnet.base + size(subnet) - 1n) return false;
  if (pool.gateway && formatIp(subnet.family, addr) === pool.gateway) return false;
  return true;
}

/** The next free address after `last` (wrapping), so a freed address is not reused at once. */
export function pickFree(pool: Pool, taken: Set<string>, last?: string): string | null {
  const { range } = pool;
  const n = size(range);
  const limit = n > 1n << 20n ? 1n << 20n : n; // never scan more than a million addresses
  const lastIp = last ? parseIp(last) : null;
  let start = lastIp && contains(range, range.family, lastIp.value) ? lastIp.value - range.base + 1n : 0n;
  for (let i = 0n; i < limit; i++) {
    const off = (start + i) % n;
    const addr = range.base + off;
    if (!usable(pool, addr)) continue;
    const text = formatIp(range.family, addr);
    if (!taken.has(text)) return text;
  }
  return null;
}

/** Checks a static address (--ip) against the pool. */
export function checkStatic(pool: Pool, addr: string, taken: Set<string>): string {
  const ip = parseIp(addr);
  if (!ip || !contains(pool.subnet, ip.family, ip.value)) throw new HuskError(`address ${addr} is not inside subnet ${nth(pool.subnet, 0n)}/${pool.subnet.prefix}`);
  const text = formatIp(ip.family, ip.value);
  if (taken.has(text) || text === pool.gateway) throw new HuskError(`address ${addr} is already in use`, "pick another --ip or leave it out");
  return text;
}
