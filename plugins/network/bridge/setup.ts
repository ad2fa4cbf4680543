// The host side of a bridge network: the bridge with its gateway addresses, forwarding,
// and the masquerade rules. Made on first attach (and again after a reboot), idempotent,
// safe when several husk processes race to make it.
import type { NetworkConfig, PluginHost } from "../../../src/plugin/api.ts";
import type { NetlinkOps } from "../../../src/network/netlink.ts";
import { DEVCONF } from "../../../src/network/netlink.ts";
import { parseCidr } from "../../../src/network/cidr.ts";
import type { Firewall } from "../../../src/network/firewall/types.ts";
import { OPT_BRIDGE, OPT_HOST_NETNS } from "./config.ts";

export const bridgeOf = (net: NetworkConfig) => net.options[OPT_BRIDGE]!;
export const hostNetnsOf = (net: NetworkConfig) => net.options[OPT_HOST_NETNS] || undefined;

const isExists = (e: unknown) => (e as { code?: string }).code === "EEXIST";

/** Makes the bridge if it is missing. Returns true when this call made it. */
export function ensureBridge(host: PluginHost, nl: NetlinkOps, net: NetworkConfig, firewall: () => Firewall): boolean {
  const name = bridgeOf(net);
  const existing = nl.linkGet(name);
  if (existing?.up) return false;
  if (!existing) {
    try {
      nl.linkAdd({ name, kind: "bridge", mtu: net.mtu });
    } catch (e) {
      if (!isExists(e)) throw e; // another husk made it meanwhile: fine
    }
  }
  for (const s of net.subnets) {
    const c = parseCidr(s.subnet)!;
    if (!s.gateway || net.internal) continue;
    try {
      nl.addrAdd(name, s.gateway, c.prefix);
    } catch (e) {
      if (!isExists(e)) throw e;
    }
  }
  nl.linkChange(name, { up: true });
  if (!net.internal) {
    const netns = hostNetnsOf(net);
    // Routing between the bridge and the uplink, and 127.0.0.1 published ports.
    host.sysctl("net/ipv4/ip_forward", "1", netns);
    if (net.ipv6) host.sysctl("net/ipv6/conf/all/forwarding", "1", netns);
    nl.inetConf(name, DEVCONF.routeLocalnet, 1);
    const v4 = net.subnets.filter((s) => parseCidr(s.subnet)!.family === 4).map((s) => s.subnet);
    firewall().addNetwork({ networkId: net.id, bridge: name, subnets: v4 });
  }
  return true;
}
