// One container on a bridge network: lease addresses, make the veth pair (the container
// end is created directly inside its netns), address it, route it, publish its ports.
// Every step pushes its undo, so a failure leaves nothing behind.
import { closeSync, openSync } from "node:fs";
import type { AttachRequest, AttachResult, NetworkConfig, PluginHost } from "../../../src/plugin/api.ts";
import { parseCidr } from "../../../src/network/cidr.ts";
import { checkStatic, makePool, pickFree } from "../../../src/network/ipam.ts";
import { type Endpoint, type NetworkState, withState } from "../../../src/network/network-state.ts";
import { netnsAlive } from "../../../src/network/netns-alive.ts";
import type { Firewall } from "../../../src/network/firewall/types.ts";
import type { NetlinkOps } from "../../../src/network/netlink.ts";
import { bridgeOf } from "./setup.ts";

/** 02:42 then the four octets of the IPv4 address (unicast, locally administered). */
export const macFromIpv4 = (ipv4: string) => ["02", "42", ...ipv4.split(".").map((o) => Number(o).toString(16).padStart(2, "0"))].join(":");

/** vh + 11 hex of (network, container, ifname): stable, so a detach after a crash finds it. */
export function hostVethName(netId: string, containerId: string, ifname: string): string {
  return `vh${new Bun.CryptoHasher("sha256").update(`${netId}/${containerId}/${ifname}`).digest("hex").slice(0, 11)}`;
}

export interface Leased {
  ipv4?: string;
  ipv6?: string;
  /** endpoints of dead containers dropped while leasing; their host side needs cleaning */
  reclaimed: Endpoint[];
}

/** Drops endpoints (and their leases) whose netns is gone. Call inside withState. */
export function dropDead(s: NetworkState, alive: (e: Endpoint) => boolean = (e) => netnsAlive(e.netnsPath)): Endpoint[] {
  const dead = Object.values(s.endpoints).filter((e) => !alive(e));
  for (const e of dead) {
    delete s.endpoints[e.containerId];
    for (const [ip, l] of Object.entries(s.leases)) if (l.owner === e.containerId) delete s.leases[ip];
  }
  return dead;
}

const sameHostIp = (a?: string, b?: string) => !a || !b || a === "0.0.0.0" || b === "0.0.0.0" || a === b;

/** A host port is published once per network: a second DNAT rule would never match. */
export function checkPortsFree(s: NetworkState, req: AttachRequest): void {
  for (const p of req.ports)
    for (const e of Object.values(s.endpoints))
      for (const q of e.ports)
        if (q.hostPort === p.hostPort && q.protocol === p.protocol && sameHostIp(p.hostIp, q.hostIp))
          throw new Error(`host port ${p.hostPort}/${p.protocol} is already published by container ${e.containerName || e.containerId.slice(0, 12)}`);
}

/** Leases one address per subnet family and records the endpoint, in one locked update. */
export function lease(dir: string, net: NetworkConfig, req: AttachRequest, hostVeth: string): Leased {
  return withState(dir, (s) => {
    const reclaimed = dropDead(s);
    if (s.endpoints[req.containerId]) throw new Error(`container ${req.containerId.slice(0, 12)} is already attached`);
    checkPortsFree(s, req);
    const taken = new Set(Object.keys(s.leases));
    const out: Leased = { reclaimed };
    for (const sub of net.subnets) {
      const pool = makePool(sub);
      const family = pool.subnet.family;
      const wanted = family === 4 ? req.ipv4 : req.ipv6;
      const ip = wanted ? checkStatic(pool, wanted, taken) : pickFree(pool, taken, s.last[family]);
      if (!ip) throw new Error(`no free address left in ${sub.ipRange ?? sub.subnet}`);
      taken.add(ip);
      s.leases[ip] = { owner: req.containerId, netnsPath: req.netnsPath, at: new Date().toISOString() };
      if (!wanted) s.last[family] = ip;
      if (family === 4) out.ipv4 = ip;
      else out.ipv6 = ip;
    }
    s.endpoints[req.containerId] = {
      containerId: req.containerId,
      containerName: req.containerName,
      aliases: req.aliases,
      netnsPath: req.netnsPath,
      ifname: req.ifname,
      hostVeth,
      ipv4: out.ipv4,
      ipv6: out.ipv6,
      ports: req.ports,
      hostsFile: req.hostsFile,
    };
    return out;
  });
}

/** Frees the container's leases and endpoint; returns the endpoint if there was one. */
export function release(dir: string, containerId: string): Endpoint | undefined {
  return withState(dir, (s) => {
    const e = s.endpoints[containerId];
    delete s.endpoints[containerId];
    for (const [ip, l] of Object.entries(s.leases)) if (l.owner === containerId) delete s.leases[ip];
    return e;
  });
}

export interface Wiring {
  host: PluginHost;
  hostNl: NetlinkOps;
  firewall: () => Firewall;
}

/** The link, address and route work of an attach. Returns the undo steps it registered. */
export function wire(w: Wiring, net: NetworkConfig, req: AttachRequest, hostVeth: string, ips: Leased, undo: (() => void)[]): AttachResult {
  const { hostNl } = w;
  const bridge = bridgeOf(net);
  // docker's choice: 02:42 and the IPv4 address, so the MAC is known without asking the netns.
  const mac = req.mac ?? (ips.ipv4 ? macFromIpv4(ips.ipv4) : undefined);
  const nsfd = openSync(req.netnsPath, "r");
  try {
    hostNl.linkAdd({ name: hostVeth, kind: "veth", peerName: req.ifname, peerNetnsFd: nsfd, peerMac: mac, mtu: net.mtu, master: bridge });
  } finally {
    closeSync(nsfd);
  }
  undo.push(() => hostNl.linkDel(hostVeth)); // deleting one end removes both
  hostNl.linkChange(hostVeth, { up: true });
  const result: AttachResult = { interfaces: [{ name: req.ifname, hostName: hostVeth, ...(mac ? { mac } : {}) }], addresses: [], routes: [] };
  const c = w.host.netnsNetlink(req.netnsPath);
  try {
    c.linkChange("lo", { up: true });
    for (const sub of net.subnets) {
      const cidr = parseCidr(sub.subnet)!;
      const ip = cidr.family === 4 ? ips.ipv4 : ips.ipv6;
      if (!ip) continue;
      c.addrAdd(req.ifname, ip, cidr.prefix);
      result.addresses.push({ interface: req.ifname, address: `${ip}/${cidr.prefix}`, gateway: net.internal ? undefined : sub.gateway });
    }
    c.linkChange(req.ifname, { up: true });
    if (!net.internal)
      for (const sub of net.subnets) {
        const family = parseCidr(sub.subnet)!.family;
        if (!sub.gateway) continue;
        try {
          c.routeAdd({ family, gateway: sub.gateway });
        } catch (e) {
          // A container connected to a second network keeps the default route of its first.
          if ((e as { code?: string }).code === "EEXIST") continue;
          throw e;
        }
        result.routes.push({ dst: family === 4 ? "0.0.0.0/0" : "::/0", gateway: sub.gateway });
      }
  } finally {
    c.close();
  }
  if (req.ports.length) {
    if (!ips.ipv4) throw new Error("published ports need an IPv4 address on the network");
    const fw = w.firewall();
    undo.push(() => fw.unpublish(req.containerId));
    fw.publish(req.ports.map((p) => ({ containerId: req.containerId, hostIp: p.hostIp, hostPort: p.hostPort, protocol: p.protocol, containerIp: ips.ipv4!, containerPort: p.containerPort })));
  }
  return result;
}
