// The cni network driver: a husk network whose containers are wired by CNI plugins (the
// CNI spec 1.0 runtime in src/network/cni). `husk network create -d cni NAME` binds the
// husk network to the CNI network NAME (a .conflist/.conf/.json in /etc/cni/net.d);
// attach runs ADD over its plugin list with the container's netns, passing published
// ports as the portMappings capability (the portmap plugin reads it); detach runs DEL in
// reverse order with the cached ADD result; inspect runs CHECK.
import { join } from "node:path";
import type { AttachRequest, NetworkConfig, NetworkDriver, PluginHost, PluginManifest, SubnetConfig } from "../../../src/plugin/api.ts";
import { PLUGIN_API_VERSION } from "../../../src/plugin/api.ts";
import { netnsAlive } from "../../../src/network/netns-alive.ts";
import { CniConfigError, loadNetwork } from "../../../src/network/cni/config-files.ts";
import { CniPluginError } from "../../../src/network/cni/invoke.ts";
import { ResultCache, type CacheEntry } from "../../../src/network/cni/cache.ts";
import { toAttachResult, toCurrent } from "../../../src/network/cni/result.ts";
import { CniRuntime } from "../../../src/network/cni/runtime.ts";
import type { CniPortMapping, NetConfList, RuntimeConf } from "../../../src/network/cni/types.ts";
import { completeOptions, OPT_HOST_NETNS, settingsOf, type CniSettings } from "./options.ts";

export const manifest: PluginManifest = {
  name: "cni",
  kind: "network",
  apiVersion: PLUGIN_API_VERSION,
  description: "CNI plugins (spec 1.0) from /etc/cni/net.d and /opt/cni/bin or /usr/lib/cni",
};

/** Subnets the list's IPAM hands out (host-local's "ranges" or "subnet"), for ls/inspect. */
export function ipamSubnets(list: NetConfList): SubnetConfig[] {
  const out: SubnetConfig[] = [];
  for (const p of list.plugins) {
    const ipam = p.ipam as { subnet?: string; gateway?: string; ranges?: { subnet?: string; gateway?: string }[][] } | undefined;
    if (!ipam) continue;
    if (typeof ipam.subnet === "string") out.push({ subnet: ipam.subnet, gateway: ipam.gateway });
    for (const set of Array.isArray(ipam.ranges) ? ipam.ranges : [])
      for (const r of Array.isArray(set) ? set : []) if (typeof r?.subnet === "string") out.push({ subnet: r.subnet, gateway: r.gateway });
  }
  return out;
}

export function create(host: PluginHost): NetworkDriver {
  const cache = new ResultCache(join(host.dataRoot, "cni", "results"));
  const runtimeFor = (s: CniSettings) => new CniRuntime({ binDirs: s.binDirs, timeoutMs: s.timeoutMs, hostNetns: s.hostNetns });
  const settings = (net: NetworkConfig) => {
    try {
      return settingsOf(net);
    } catch (e) {
      throw host.error(`network ${net.name}: ${(e as Error).message}`);
    }
  };
  const load = (s: CniSettings): NetConfList => {
    try {
      return loadNetwork(s.confDir, s.cniName);
    } catch (e) {
      if (e instanceof CniConfigError) throw host.error(e.message, e.hint);
      throw e;
    }
  };
  const runtimeConf = (req: { containerId: string; netnsPath?: string; ifname: string }, args: RuntimeConf["args"] = [["IgnoreUnknown", "1"]], capabilityArgs: RuntimeConf["capabilityArgs"] = {}): RuntimeConf => ({
    containerId: req.containerId,
    // A netns that is gone is not passed: the plugins then free what they can (spec, DEL).
    netns: netnsAlive(req.netnsPath) ? req.netnsPath! : "",
    ifName: req.ifname,
    args,
    capabilityArgs,
  });
  const delEntry = async (s: CniSettings, e: CacheEntry, netnsPath?: string) => {
    await runtimeFor(s).del(e.config, runtimeConf({ containerId: e.containerId, netnsPath: netnsPath ?? e.netns, ifname: e.ifName }, e.args, e.capabilityArgs), e.result);
    cache.remove(e.network, e.containerId, e.ifName);
  };

  return {
    async createNetwork(req) {
      if (req.subnets.length || req.ipv6 || req.mtu !== undefined || req.internal)
        throw host.error("--subnet, --gateway, --ip-range, --ipv6, --mtu and --internal do not apply: the conflist decides them", "set them in the CNI network's conflist");
      let options: Record<string, string>;
      try {
        options = completeOptions(req.name, req.options);
      } catch (e) {
        throw host.error((e as Error).message);
      }
      const net: NetworkConfig = {
        id: req.id, name: req.name, driver: manifest.name, created: new Date().toISOString(), subnets: [],
        ipv6: false, internal: false, options, labels: {}, builtin: req.builtin || undefined,
      };
      const s = settings(net);
      if (s.hostNetns && !netnsAlive(s.hostNetns)) throw host.error(`${OPT_HOST_NETNS}=${s.hostNetns} is not a network namespace`);
      const list = load(s);
      await runtimeFor(s).validate(list); // every plugin is there and speaks the list's version
      net.subnets = ipamSubnets(list);
      net.ipv6 = net.subnets.some((x) => x.subnet.includes(":"));
      host.debug(`network ${req.name} uses CNI network ${list.name} from ${list.source}`);
      return net;
    },

    deleteNetwork() {
      // The host objects (bridge, IPAM store, firewall chains) belong to the conflist's
      // plugins and may be shared with other runtimes that use the same CNI network;
      // each container's share was removed by its DEL.
    },

    async attach(net, req: AttachRequest) {
      const s = settings(net);
      const list = load(s);
      const portMappings: CniPortMapping[] = req.ports.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol, ...(p.hostIp ? { hostIP: p.hostIp } : {}) }));
      const wanted = [req.ipv4, req.ipv6].filter(Boolean) as string[];
      const args: RuntimeConf["args"] = [["IgnoreUnknown", "1"], ...(wanted.length ? [["IP", wanted.join(",")] as [string, string]] : [])];
      const caps: RuntimeConf["capabilityArgs"] = {};
      if (portMappings.length) caps.portMappings = portMappings;
      const rt = runtimeConf(req, args, caps);
      if (!rt.netns) throw host.error(`${req.netnsPath} is not a network namespace`);
      if (portMappings.length && !list.plugins.some((p) => p.capabilities?.portMappings === true))
        throw host.error(`CNI network ${list.name} has no plugin with the portMappings capability, so -p cannot publish`, `add {"type": "portmap", "capabilities": {"portMappings": true}} to ${list.source}`);
      const runtime = runtimeFor(s);
      const result = await runtime.add(list, rt); // undoes itself with DEL on failure
      const entry: CacheEntry = {
        kind: "huskCniCacheV1", network: list.name, owner: net.id, containerId: req.containerId, ifName: req.ifname, netns: rt.netns,
        config: list, args, capabilityArgs: caps, result, created: new Date().toISOString(),
      };
      try {
        cache.put(entry);
      } catch (e) {
        await runtime.del(list, rt, result).catch(() => {});
        throw e;
      }
      return toAttachResult(toCurrent(result as unknown as Record<string, unknown>, list.cniVersion), req.ifname);
    },

    async detach(net, req) {
      const s = settings(net);
      const entry = cache.get(s.cniName, req.containerId, req.ifname);
      if (entry) return delEntry(s, entry, req.netnsPath);
      // Nothing cached (a failed attach, or a second detach): DEL with today's conflist and
      // no prevResult, which plugins must accept. No conflist at all: nothing to undo.
      let list: NetConfList;
      try {
        list = loadNetwork(s.confDir, s.cniName);
      } catch (e) {
        if (e instanceof CniConfigError) return host.debug(`detach ${req.containerId.slice(0, 12)}: ${e.message}; nothing to DEL`);
        throw e;
      }
      await runtimeFor(s).del(list, runtimeConf(req), undefined);
    },

    async reclaim(net, alive) {
      const s = settings(net);
      let n = 0;
      for (const e of cache.list(s.cniName).filter((x) => x.owner === net.id)) {
        if (alive(e.containerId, e.netns)) continue;
        await delEntry(s, e);
        n++;
      }
      return n;
    },

    async inspect(net) {
      const s = settings(net);
      const runtime = runtimeFor(s);
      const containers: Record<string, unknown> = {};
      for (const e of cache.list(s.cniName).filter((x) => x.owner === net.id)) {
        const r = toCurrent(e.result as unknown as Record<string, unknown>, e.config.cniVersion);
        let check: string;
        if (!netnsAlive(e.netns)) check = "netns gone";
        else
          try {
            check = await runtime.check(e.config, runtimeConf({ containerId: e.containerId, netnsPath: e.netns, ifname: e.ifName }, e.args, e.capabilityArgs), e.result);
          } catch (err) {
            check = err instanceof CniPluginError ? err.render() : String((err as Error).message ?? err);
          }
        containers[e.containerId] = { ifname: e.ifName, netns: e.netns, addresses: (r.ips ?? []).map((i) => i.address), ports: e.capabilityArgs.portMappings ?? [], check };
      }
      let conflist: string | undefined;
      let plugins: string[] = [];
      try {
        const list = loadNetwork(s.confDir, s.cniName);
        conflist = list.source;
        plugins = list.plugins.map((p) => p.type);
      } catch {}
      return { cniNetwork: s.cniName, conflist, plugins, binDirs: s.binDirs, containers };
    },
  };
}
