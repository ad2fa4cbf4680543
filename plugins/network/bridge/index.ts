// The bridge network driver (the default): a Linux bridge per network, a veth pair per
// container, addresses from the network's leases, a default route through the bridge,
// masquerade for egress, published ports, and /etc/hosts entries between the containers
// of a user-defined network. The host side normally lives in husk's own netns; the option
// com.husk.bridge.host-netns=PATH moves it into another one (the tests use that).
import { join } from "node:path";
import type { AttachRequest, NetworkConfig, NetworkDriver, PluginHost, PluginManifest } from "../../../src/plugin/api.ts";
import { PLUGIN_API_VERSION } from "../../../src/plugin/api.ts";
import { readState, withState } from "../../../src/network/network-state.ts";
import { netnsAlive } from "../../../src/network/netns-alive.ts";
import { writeBlock } from "../../../src/network/hosts-file.ts";
import { selectFirewall } from "../../../src/network/firewall/select.ts";
import type { Firewall } from "../../../src/network/firewall/types.ts";
import type { NetlinkOps } from "../../../src/network/netlink.ts";
import { completeNetwork } from "./config.ts";
import { dropDead, hostVethName, lease, release, wire } from "./endpoint.ts";
import { bridgeOf, ensureBridge, hostNetnsOf } from "./setup.ts";

export const manifest: PluginManifest = {
  name: "bridge",
  kind: "network",
  apiVersion: PLUGIN_API_VERSION,
  description: "Linux bridge with veth pairs, leases, masquerade and published ports",
};

const isGone = (e: unknown) => ["ENODEV", "ENOENT"].includes((e as { code?: string }).code ?? "");

export function create(host: PluginHost): NetworkDriver {
  const stateDir = (net: NetworkConfig) => join(host.dataRoot, "networks", net.name);
  const firewallFor = (net: NetworkConfig): (() => Firewall) => {
    let fw: Firewall | undefined;
    return () => (fw ??= selectFirewall((argv, stdin) => host.exec(argv, { netns: hostNetnsOf(net), stdin })));
  };
  const withHostNl = <T>(net: NetworkConfig, fn: (nl: NetlinkOps) => T): T => {
    const nl = host.hostNetlink(hostNetnsOf(net));
    try {
      return fn(nl);
    } finally {
      nl.close();
    }
  };

  /** Rewrites the husk block of every member's hosts file (user-defined networks only),
   * under the network's lock so that parallel attaches never write a stale block last. */
  const refreshHosts = (net: NetworkConfig) => {
    if (net.builtin) return;
    withState(stateDir(net), (s) => {
      const members = Object.values(s.endpoints);
      const lines = members.filter((e) => e.ipv4).map((e) => `${e.ipv4}\t${[e.containerName, ...e.aliases].filter(Boolean).join(" ")}`);
      for (const e of members) if (e.hostsFile) writeBlock(e.hostsFile, net.name, lines);
    });
  };

  /** Host-side leftovers of an endpoint: its veth (if the netns still holds it) and its rules. */
  const cleanHostSide = (net: NetworkConfig, nl: NetlinkOps | undefined, fw: () => Firewall, containerId: string, hostVeth: string, ports: boolean) => {
    try {
      nl?.linkDel(hostVeth);
    } catch (e) {
      if (!isGone(e)) throw e;
    }
    if (ports) fw().unpublish(containerId);
  };

  return {
    createNetwork(req) {
      return completeNetwork(req.id, req, host.error, req.builtin);
    },

    deleteNetwork(net) {
      const fw = firewallFor(net);
      withHostNl(net, (nl) => {
        for (const e of Object.values(readState(stateDir(net)).endpoints)) cleanHostSide(net, nl, fw, e.containerId, e.hostVeth, e.ports.length > 0);
        if (nl.linkGet(bridgeOf(net))) nl.linkDel(bridgeOf(net));
      });
      if (!net.internal) fw().removeNetwork(net.id);
    },

    attach(net, req: AttachRequest) {
      const dir = stateDir(net);
      const fw = firewallFor(net);
      const hostVeth = hostVethName(net.id, req.containerId, req.ifname);
      const undo: (() => void)[] = [];
      return withHostNl(net, (nl) => {
        try {
          ensureBridge(host, nl, net, fw);
          const ips = lease(dir, net, req, hostVeth);
          undo.push(() => void release(dir, req.containerId));
          for (const dead of ips.reclaimed) {
            host.debug(`reclaimed ${dead.ipv4 ?? dead.ipv6} of dead container ${dead.containerId.slice(0, 12)}`);
            cleanHostSide(net, nl, fw, dead.containerId, dead.hostVeth, dead.ports.length > 0);
          }
          const result = wire({ host, hostNl: nl, firewall: fw }, net, req, hostVeth, ips, undo);
          refreshHosts(net);
          const peers = Object.values(readState(dir).endpoints).filter((e) => e.containerId !== req.containerId && e.ipv4);
          if (!net.builtin) result.hosts = peers.map((e) => ({ address: e.ipv4!, names: [e.containerName, ...e.aliases].filter(Boolean) }));
          return result;
        } catch (e) {
          for (const u of undo.reverse()) {
            try {
              u();
            } catch {}
          }
          throw e;
        }
      });
    },

    detach(net, req) {
      const dir = stateDir(net);
      const ep = release(dir, req.containerId);
      const hostVeth = ep?.hostVeth ?? hostVethName(net.id, req.containerId, req.ifname);
      const ports = ep ? ep.ports.length > 0 : true;
      // Deleting a veth waits for the kernel's RCU grace period (tens of ms); when the
      // container's netns is about to go, its destruction removes the pair in the
      // background instead.
      if (req.netnsGoing && ep && netnsAlive(ep.netnsPath)) cleanHostSide(net, undefined, firewallFor(net), req.containerId, hostVeth, ports);
      else withHostNl(net, (nl) => cleanHostSide(net, nl, firewallFor(net), req.containerId, hostVeth, ports));
      if (ep?.hostsFile) writeBlock(ep.hostsFile, net.name, []);
      refreshHosts(net);
    },

    reclaim(net, alive) {
      const dead = withState(stateDir(net), (s) => dropDead(s, (e) => alive(e.containerId, e.netnsPath)));
      const fw = firewallFor(net);
      if (dead.length) withHostNl(net, (nl) => dead.forEach((e) => cleanHostSide(net, nl, fw, e.containerId, e.hostVeth, e.ports.length > 0)));
      if (dead.length) refreshHosts(net);
      return dead.length;
    },

    inspect(net) {
      const s = readState(stateDir(net));
      return {
        bridge: bridgeOf(net),
        containers: Object.fromEntries(
          Object.values(s.endpoints).map((e) => [e.containerId, { name: e.containerName, ipv4: e.ipv4, ipv6: e.ipv6, hostVeth: e.hostVeth, alive: netnsAlive(e.netnsPath), ports: e.ports }]),
        ),
        leases: Object.keys(s.leases).length,
      };
    },
  };
}
