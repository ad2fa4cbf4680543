// Connecting a container's network namespace to its networks through their drivers, and
// disconnecting it. `attachContainerNetworks` is the one entry point for start, for
// `network connect` and for a restore after a reboot: it makes the netns when missing and
// attaches every network not attached yet; a failure undoes what the call did.
import type { AttachResult, PortMapping } from "../plugin/api.ts";
import { connect, disconnect, networkContext, type NetworkContext } from "../network/manager.ts";
import { HuskError } from "../runtime/errors.ts";
import { trace } from "../util/trace.ts";
import { Netlink } from "../network/netlink.ts";
import { deleteNetns } from "./container-netns.ts";
import { ensureNetnsWithNetlink } from "./network-netns.ts";
import { macFromIpv4 } from "./flags/network.ts";
import { addDriverDns, addDriverHosts, writeHosts } from "./network-etc.ts";
import { resolvePorts } from "./network-ports.ts";
import type { EndpointSettings } from "./network-types.ts";
import type { ContainerRecord } from "./record.ts";
import type { RecordStore } from "./record-store.ts";

const isNotFound = (e: unknown) => e instanceof HuskError && /^network "[^"]*" not found/.test(e.message);

/** Fills an endpoint from what the driver said. */
export function applyResult(ep: EndpointSettings, r: AttachResult, ports: PortMapping[]): void {
  const v4 = r.addresses.find((a) => !a.address.includes(":"));
  const v6 = r.addresses.find((a) => a.address.includes(":"));
  const iface = r.interfaces.find((i) => i.name === ep.Interface) ?? r.interfaces[0];
  ep.EndpointID = iface?.hostName ?? iface?.name ?? ep.Interface;
  ep.IPAddress = v4?.address.split("/")[0] ?? "";
  ep.IPPrefixLen = v4 ? Number(v4.address.split("/")[1]) : 0;
  ep.Gateway = v4?.gateway ?? "";
  ep.GlobalIPv6Address = v6?.address.split("/")[0] ?? "";
  ep.GlobalIPv6PrefixLen = v6 ? Number(v6.address.split("/")[1]) : 0;
  ep.IPv6Gateway = v6?.gateway ?? "";
  ep.MacAddress = iface?.mac ?? (ep.MacAddress || (ep.IPAddress ? macFromIpv4(ep.IPAddress) : ""));
  ep.Ports = ports;
}

function clearResult(ep: EndpointSettings): void {
  Object.assign(ep, { EndpointID: "", Gateway: "", IPAddress: "", IPPrefixLen: 0, IPv6Gateway: "", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0, Ports: undefined });
}

async function attachOne(ctx: NetworkContext, store: RecordStore, rec: ContainerRecord, name: string, ep: EndpointSettings): Promise<AttachResult> {
  const paths = store.paths(rec.id);
  // Published ports go to the container's first network (as docker's default gateway network).
  const ports = name === rec.network?.name ? await resolvePorts(rec.hostConfig.PortBindings ?? {}) : [];
  const result = await connect(ctx, name, {
    containerId: rec.id,
    containerName: rec.name,
    netnsPath: paths.netns,
    pid: 0,
    ifname: ep.Interface,
    ports,
    aliases: ep.Aliases,
    hostsFile: paths.etcFile("hosts"),
    ...(ep.IPAMConfig.IPv4Address ? { ipv4: ep.IPAMConfig.IPv4Address } : {}),
    ...(ep.IPAMConfig.IPv6Address ? { ipv6: ep.IPAMConfig.IPv6Address } : {}),
    ...(ep.MacAddress ? { mac: ep.MacAddress } : {}),
  });
  applyResult(ep, result, ports);
  addDriverHosts(paths.etcFile("hosts"), name, result);
  return result;
}

/**
 * Makes the container's netns if it is missing and attaches every network of the record
 * that is not attached (all of them when the netns is new: after a reboot the drivers
 * first drop what they still hold for it). Writes the record and the /etc files.
 * Call with the container's lock held. Returns the record as written (with write: false,
 * as changed: the caller writes it).
 */
export async function attachContainerNetworks(store: RecordStore, rec: ContainerRecord, opts: { write?: boolean } = {}): Promise<ContainerRecord> {
  if (rec.network?.sandbox !== "new") return rec;
  const paths = store.paths(rec.id);
  const fresh = ensureNetnsWithNetlink(paths.netns);
  try {
    return await attachPending(store, rec, fresh, opts);
  } finally {
    Netlink.release(paths.netns);
  }
}

async function attachPending(store: RecordStore, rec: ContainerRecord, fresh: boolean, opts: { write?: boolean }): Promise<ContainerRecord> {
  const paths = store.paths(rec.id);
  const pending = Object.entries(rec.networks ?? {}).filter(([, ep]) => fresh || !ep.EndpointID);
  if (!pending.length) return rec;
  const ctx = networkContext(store.roots.root, store.roots.dataRoot);
  const done: string[] = [];
  const results: AttachResult[] = [];
  try {
    for (const [name, ep] of pending) {
      if (fresh && ep.EndpointID) await disconnect(ctx, name, rec.id).catch(() => {}); // leftovers of the old netns
      clearResult(ep);
      results.push(await attachOne(ctx, store, rec, name, ep));
      done.push(name);
      trace(`engine start: attached to ${name}`);
    }
    writeHosts(paths.etcFile("hosts"), rec);
    addDriverDns(paths.etcFile("resolv.conf"), rec, results);
    if (opts.write !== false) store.write(rec);
    return rec;
  } catch (e) {
    for (const name of done.reverse()) {
      await disconnect(ctx, name, rec.id).catch(() => {});
      clearResult(rec.networks![name]!);
    }
    if (fresh) {
      try {
        deleteNetns(paths.netns);
      } catch {}
    }
    store.write(rec);
    throw e instanceof HuskError && e.exitCode === 1 ? new HuskError(e.message, e.hint, 125) : e;
  }
}

/** Disconnects the container from every network it is attached to (rm). A network
 * removed meanwhile is skipped: its state went with it. */
export async function detachContainerNetworks(store: RecordStore, rec: ContainerRecord, opts: { netnsGoing?: boolean } = {}): Promise<void> {
  const attached = Object.entries(rec.networks ?? {}).filter(([, ep]) => ep.EndpointID);
  if (!attached.length) return;
  const ctx = networkContext(store.roots.root, store.roots.dataRoot);
  for (const [name, ep] of attached) {
    try {
      await disconnect(ctx, name, rec.id, opts);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    clearResult(ep);
  }
}
