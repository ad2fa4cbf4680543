// ptp-net: an example third-party network plugin, written from docs/plugins.md alone.
// Each container gets its own veth pair and a /30 of the network's subnet: the host end
// holds the first address, the container the second, and the container's default route
// points at the host end. No bridge: containers only reach the host (point to point).
//
// Options: -o subnet=10.213.0.0/24 (default), -o host-netns=PATH (where the host ends live).
// Only husk's types are imported: at run time a plugin gets everything through `host`.
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AttachRequest, NetworkConfig, NetworkDriver, PluginHost, PluginManifest } from "../../../src/plugin/api.ts";

export const manifest: PluginManifest = {
  name: "ptp-net",
  kind: "network",
  apiVersion: "1.0",
  version: "0.1.0",
  description: "point-to-point veth per container, a /30 each",
};

type Slots = Record<string, number>; // container id -> /30 slot number

function parseV4(text: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}
const fmtV4 = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

export function create(host: PluginHost): NetworkDriver {
  const slotsFile = (net: NetworkConfig) => join(host.stateDir(), `${net.id}.json`);
  const readSlots = (net: NetworkConfig): Slots => (existsSync(slotsFile(net)) ? JSON.parse(readFileSync(slotsFile(net), "utf8")) : {});
  const hostEnd = (containerId: string) => `pp${containerId.slice(0, 12)}`;
  const subnetOf = (net: NetworkConfig) => {
    const [base, len] = net.subnets[0]!.subnet.split("/");
    return { base: parseV4(base!)!, len: Number(len) };
  };
  const addressesOf = (net: NetworkConfig, slot: number) => {
    const { base } = subnetOf(net);
    return { hostIp: fmtV4(base + slot * 4 + 1), containerIp: fmtV4(base + slot * 4 + 2) };
  };
  const isGone = (e: unknown) => ["ENODEV", "ENOENT"].includes((e as { code?: string }).code ?? "");

  return {
    createNetwork(req) {
      const subnet = req.subnets[0]?.subnet ?? req.options.subnet ?? "10.213.0.0/24";
      const [base, len] = subnet.split("/");
      const b = base ? parseV4(base) : null;
      if (b === null || !len || Number(len) > 29 || Number(len) < 8) throw host.error(`subnet "${subnet}" must be an IPv4 prefix from /8 to /29`);
      if (req.ipv6) throw host.error("IPv6 is not supported", "leave out --ipv6");
      return {
        id: req.id, name: req.name, driver: manifest.name, created: new Date().toISOString(),
        subnets: [{ subnet }], ipv6: false, mtu: req.mtu, internal: req.internal, options: req.options, labels: {},
      };
    },

    deleteNetwork(net) {
      host.withLock(net.id, () => {
        for (const id of Object.keys(readSlots(net))) {
          const nl = host.hostNetlink(net.options["host-netns"]);
          try {
            nl.linkDel(hostEnd(id));
          } catch (e) {
            if (!isGone(e)) throw e;
          } finally {
            nl.close();
          }
        }
        if (existsSync(slotsFile(net))) writeFileSync(slotsFile(net), "{}");
      });
    },

    attach(net, req: AttachRequest) {
      const { len } = subnetOf(net);
      const capacity = 2 ** (32 - len) / 4;
      const slot = host.withLock(net.id, () => {
        const slots = readSlots(net);
        const used = new Set(Object.values(slots));
        let s = 0;
        while (used.has(s)) s++;
        if (s >= capacity) throw host.error(`network ${net.name} is full (${capacity} containers)`);
        slots[req.containerId] = s;
        writeFileSync(slotsFile(net), JSON.stringify(slots));
        return s;
      });
      const undo: (() => void)[] = [() => host.withLock(net.id, () => {
        const slots = readSlots(net);
        delete slots[req.containerId];
        writeFileSync(slotsFile(net), JSON.stringify(slots));
      })];
      const { hostIp, containerIp } = addressesOf(net, slot);
      const hostNl = host.hostNetlink(net.options["host-netns"]);
      try {
        const nsfd = openSync(req.netnsPath, "r");
        try {
          hostNl.linkAdd({ name: hostEnd(req.containerId), kind: "veth", peerName: req.ifname, peerNetnsFd: nsfd, mtu: net.mtu });
        } finally {
          closeSync(nsfd);
        }
        undo.push(() => hostNl.linkDel(hostEnd(req.containerId)));
        hostNl.addrAdd(hostEnd(req.containerId), hostIp, 30);
        hostNl.linkChange(hostEnd(req.containerId), { up: true });
        const c = host.netnsNetlink(req.netnsPath);
        try {
          c.linkChange("lo", { up: true });
          c.addrAdd(req.ifname, containerIp, 30);
          c.linkChange(req.ifname, { up: true });
          c.routeAdd({ family: 4, gateway: hostIp });
        } finally {
          c.close();
        }
        return {
          interfaces: [{ name: req.ifname, hostName: hostEnd(req.containerId) }],
          addresses: [{ interface: req.ifname, address: `${containerIp}/30`, gateway: hostIp }],
          routes: [{ dst: "0.0.0.0/0", gateway: hostIp }],
        };
      } catch (e) {
        for (const u of undo.reverse()) {
          try {
            u();
          } catch {}
        }
        throw e;
      } finally {
        hostNl.close();
      }
    },

    detach(net, req) {
      host.withLock(net.id, () => {
        const slots = readSlots(net);
        delete slots[req.containerId];
        writeFileSync(slotsFile(net), JSON.stringify(slots));
      });
      const nl = host.hostNetlink(net.options["host-netns"]);
      try {
        nl.linkDel(hostEnd(req.containerId));
      } catch (e) {
        if (!isGone(e)) throw e; // already gone: detach is idempotent
      } finally {
        nl.close();
      }
    },

    inspect(net) {
      const slots = readSlots(net);
      return { containers: Object.fromEntries(Object.entries(slots).map(([id, s]) => [id, addressesOf(net, s)])) };
    },
  };
}
