// `husk network connect/disconnect NETWORK CONTAINER`: one more endpoint (eth1, eth2, ...)
// in the container's own netns, attached now when the netns exists, else at start.
import { existsSync } from "node:fs";
import { disconnect, getNetwork, networkContext, sandboxFor } from "../network/manager.ts";
import { HuskError } from "../runtime/errors.ts";
import { attachContainerNetworks } from "./network-attach.ts";
import { writeHosts } from "./network-etc.ts";
import { emptyEndpoint, type EndpointSettings } from "./network-types.ts";
import { parseAlias, parseStaticIp } from "./flags/network.ts";
import type { ContainerRecord } from "./record.ts";
import { type RecordStore, withContainerLock } from "./record-store.ts";

export interface ConnectOptions {
  ip?: string;
  ip6?: string;
  aliases?: string[];
}

/** eth0, eth1, ...: the first name no endpoint of the container uses. */
export function nextInterface(networks: Record<string, EndpointSettings>): string {
  const used = new Set(Object.values(networks).map((e) => e.Interface));
  for (let i = 0; ; i++) if (!used.has(`eth${i}`)) return `eth${i}`;
}

export async function connectContainer(store: RecordStore, containerRef: string, networkRef: string, opts: ConnectOptions = {}): Promise<ContainerRecord> {
  const found = store.find(containerRef);
  const ctx = networkContext(store.roots.root, store.roots.dataRoot);
  const net = await getNetwork(ctx, networkRef);
  const choice = await sandboxFor(ctx, net.name);
  if (choice.mode !== "new") throw new HuskError(`network ${net.name} (driver ${net.driver}) cannot be connected to a running container`, "it gives a container its whole network namespace; use it with 'husk run --network'");
  const paths = store.paths(found.id);
  return withContainerLock(paths, async () => {
    const rec = store.read(found.id);
    if (rec.network?.sandbox !== "new")
      throw new HuskError(`container ${rec.name} has no network namespace of its own (--network ${rec.hostConfig.NetworkMode})`, "only containers on bridge, none or user-defined networks can be connected");
    rec.networks ??= {};
    if (rec.networks[net.name]) throw new HuskError(`container ${rec.name} is already connected to network ${net.name}`);
    const ipam = { ...(opts.ip ? { IPv4Address: parseStaticIp("--ip", opts.ip) } : {}), ...(opts.ip6 ? { IPv6Address: parseStaticIp("--ip6", opts.ip6) } : {}) };
    rec.networks[net.name] = emptyEndpoint(net.id, net.driver, nextInterface(rec.networks), (opts.aliases ?? []).map(parseAlias), ipam);
    if (!existsSync(paths.netns)) {
      store.write(rec); // attached when it starts
      return rec;
    }
    try {
      return await attachContainerNetworks(store, rec);
    } catch (e) {
      delete rec.networks[net.name];
      store.write(rec);
      throw e;
    }
  });
}

export async function disconnectContainer(store: RecordStore, containerRef: string, networkRef: string, force = false): Promise<ContainerRecord> {
  const found = store.find(containerRef);
  const ctx = networkContext(store.roots.root, store.roots.dataRoot);
  const paths = store.paths(found.id);
  return withContainerLock(paths, async () => {
    const rec = store.read(found.id);
    const networks = rec.networks ?? {};
    let name = networks[networkRef] ? networkRef : undefined;
    if (!name) {
      try {
        const net = await getNetwork(ctx, networkRef);
        name = networks[net.name] ? net.name : undefined;
      } catch (e) {
        if (!force) throw e;
      }
    }
    if (!name) throw new HuskError(`container ${rec.name} is not connected to network ${networkRef}`);
    if (networks[name]!.EndpointID) {
      try {
        await disconnect(ctx, name, rec.id);
      } catch (e) {
        if (!force) throw e;
      }
    }
    delete networks[name];
    if (existsSync(paths.etcFile("hosts"))) writeHosts(paths.etcFile("hosts"), rec);
    store.write(rec);
    return rec;
  });
}
