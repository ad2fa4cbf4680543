// Network creation for the bridge driver: fill in the subnet, gateway, bridge name and
// options; check what the user gave. Nothing is made on the host here.
import type { NetworkConfig, NetworkCreateRequest, SubnetConfig } from "../../../src/plugin/api.ts";
import { formatCidr, nth, overlaps, parseCidr } from "../../../src/network/cidr.ts";
import { makePool } from "../../../src/network/ipam.ts";

export const OPT_BRIDGE = "com.husk.bridge.name";
export const OPT_HOST_NETNS = "com.husk.bridge.host-netns";
export const DEFAULT_BRIDGE = "husk0";
export const DEFAULT_SUBNET = "172.29.0.0/16";

/** husk-<first 10 of the id>: unique, and within the 15 characters a link name may have. */
export const bridgeNameFor = (id: string) => `husk-${id.slice(0, 10)}`;

function pickSubnet(family: 4 | 6, used: string[]): string | null {
  const taken = used.map((u) => parseCidr(u)).filter((c) => c !== null);
  for (let i = 0; i < 256; i++) {
    const cand = family === 4 ? `10.210.${i}.0/24` : `fd68:7573:6b00:${i.toString(16)}::/64`;
    const c = parseCidr(cand)!;
    if (!taken.some((t) => overlaps(t, c))) return formatCidr(c);
  }
  return null;
}

export function completeNetwork(id: string, req: NetworkCreateRequest, fail: (m: string, h?: string) => Error, builtin = false): NetworkConfig {
  const subnets: SubnetConfig[] = [];
  for (const s of req.subnets) {
    const c = parseCidr(s.subnet);
    if (!c) throw fail(`subnet "${s.subnet}" is not a CIDR prefix`, "write it like 10.89.0.0/24");
    for (const u of req.usedSubnets) {
      const uc = parseCidr(u);
      if (uc && overlaps(uc, c)) throw fail(`subnet ${s.subnet} overlaps ${u} of another network`, "pick a free --subnet");
    }
    const full = { subnet: formatCidr(c), gateway: s.gateway ?? nth(c, 1n), ipRange: s.ipRange };
    try {
      makePool(full);
    } catch (e) {
      throw fail((e as Error).message);
    }
    subnets.push(full);
  }
  for (const family of [4, 6] as const) {
    if (family === 6 && !req.ipv6) continue;
    if (subnets.some((s) => parseCidr(s.subnet)!.family === family)) continue;
    const picked = family === 4 && builtin ? DEFAULT_SUBNET : pickSubnet(family, [...req.usedSubnets, ...subnets.map((s) => s.subnet)]);
    if (!picked) throw fail(`no free IPv${family} subnet left`, "give one with --subnet");
    subnets.push({ subnet: picked, gateway: nth(parseCidr(picked)!, 1n) });
  }
  if (subnets.some((s) => parseCidr(s.subnet)!.family === 6) && !req.ipv6) throw fail("an IPv6 subnet needs --ipv6");
  subnets.sort((a, b) => parseCidr(a.subnet)!.family - parseCidr(b.subnet)!.family);
  const bridge = req.options[OPT_BRIDGE] ?? (builtin ? DEFAULT_BRIDGE : bridgeNameFor(id));
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(bridge)) throw fail(`bridge name "${bridge}" is not a valid link name (1-15 characters)`);
  if (req.mtu !== undefined && (req.mtu < 68 || req.mtu > 65535)) throw fail(`mtu ${req.mtu} is out of range (68-65535)`);
  return {
    id,
    name: req.name,
    driver: "bridge",
    created: new Date().toISOString(),
    subnets,
    ipv6: req.ipv6,
    mtu: req.mtu,
    internal: req.internal,
    options: { ...req.options, [OPT_BRIDGE]: bridge },
    labels: {},
    builtin: builtin || undefined,
  };
}
