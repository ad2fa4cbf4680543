// Networks as the engine and the CLI use them: create/remove/prune, and connecting a
// container (its netns) to a network through the network's driver. The manager keeps a
// small record of attachments per network, so it knows which networks are in use and can
// detach containers that died without saying so.
import { join } from "node:path";
import type { AttachRequest, AttachResult, NetworkConfig, SandboxChoice, SubnetConfig } from "../plugin/api.ts";
import { PluginRegistry } from "../plugin/registry.ts";
import { HuskError } from "../runtime/errors.ts";
import { withLockedFile, readFile } from "./network-state.ts";
import { netnsAlive } from "./netns-alive.ts";
import { NetworkStore } from "./store.ts";

export interface NetworkContext {
  root: string;
  dataRoot: string;
  store: NetworkStore;
  registry: PluginRegistry;
}

export function networkContext(root: string, dataRoot: string, registry?: PluginRegistry): NetworkContext {
  return { root, dataRoot, store: new NetworkStore(dataRoot), registry: registry ?? new PluginRegistry({ root, dataRoot }) };
}

/** Networks that exist without `network create`: name -> driver. */
export const BUILTIN_NETWORKS: Record<string, string> = { bridge: "bridge", none: "none", host: "host", netns: "netns" };

export interface CreateOptions {
  name: string;
  driver: string;
  subnets?: SubnetConfig[];
  ipv6?: boolean;
  mtu?: number;
  internal?: boolean;
  options?: Record<string, string>;
  labels?: Record<string, string>;
}

interface Attachment {
  netnsPath?: string;
  ifname: string;
  at: string;
}
interface Attachments {
  entries: Record<string, Attachment>;
}
const noAttachments = (): Attachments => ({ entries: {} });

const randomId = () => new Bun.CryptoHasher("sha256").update(crypto.getRandomValues(new Uint8Array(32))).digest("hex");

export async function createNetwork(ctx: NetworkContext, o: CreateOptions, builtin = false): Promise<NetworkConfig> {
  ctx.store.networkDir(o.name); // validates the name
  if (!builtin && BUILTIN_NETWORKS[o.name]) throw new HuskError(`network name "${o.name}" is reserved`, "pick another name");
  if (ctx.store.has(o.name)) throw new HuskError(`network "${o.name}" already exists`, "pick another name or remove it with 'husk network rm'");
  const driver = await ctx.registry.networkDriver(o.driver);
  const used = ctx.store.list().flatMap((n) => n.subnets.map((s) => s.subnet));
  const net = await driver.createNetwork({
    id: randomId(), name: o.name, builtin, subnets: o.subnets ?? [], ipv6: o.ipv6 ?? false, mtu: o.mtu,
    internal: o.internal ?? false, options: o.options ?? {}, usedSubnets: used,
  });
  net.labels = { ...net.labels, ...o.labels };
  net.driver = o.driver;
  // Store under the networks lock: a concurrent create of the same name or subnet loses.
  withLockedFile(ctx.store.dir, "networks", () => ({}), () => {
    const taken = ctx.store.list().flatMap((n) => n.subnets.map((s) => s.subnet));
    const clash = net.subnets.find((s) => taken.includes(s.subnet));
    if (clash) throw new HuskError(`subnet ${clash.subnet} is already used by another network`, "pick another --subnet");
    ctx.store.add(net);
  });
  return net;
}

/** The network named or id-prefixed by `ref`; the built-in ones are made on first use. */
export async function getNetwork(ctx: NetworkContext, ref: string): Promise<NetworkConfig> {
  const found = ctx.store.find(ref);
  if (found) return found;
  const driver = BUILTIN_NETWORKS[ref];
  if (!driver) throw new HuskError(`network "${ref}" not found`, "see 'husk network ls', or make it with 'husk network create'");
  try {
    return await createNetwork(ctx, { name: ref, driver }, true);
  } catch (e) {
    const again = ctx.store.find(ref); // another husk made it meanwhile
    if (again) return again;
    throw e;
  }
}

/** "bridge", "mynet", "netns:NAME" -> the network and the option after the colon. */
export function parseNetworkMode(mode: string): { ref: string; option?: string } {
  const colon = mode.indexOf(":");
  return colon < 0 ? { ref: mode } : { ref: mode.slice(0, colon), option: mode.slice(colon + 1) };
}

/** Where a container on `mode` gets its netns from. */
export async function sandboxFor(ctx: NetworkContext, mode: string): Promise<SandboxChoice> {
  const { ref, option } = parseNetworkMode(mode);
  const net = await getNetwork(ctx, ref);
  const driver = await ctx.registry.networkDriver(net.driver);
  return driver.sandbox ? driver.sandbox(net, option) : { mode: "new" };
}

const netDir = (ctx: NetworkContext, net: NetworkConfig) => join(ctx.store.dir, net.name);

/** Detaches attachments whose netns is gone, then lets the driver reclaim the rest. */
export async function reclaimNetwork(ctx: NetworkContext, net: NetworkConfig): Promise<number> {
  const driver = await ctx.registry.networkDriver(net.driver);
  const dead = withLockedFile(netDir(ctx, net), "attachments", noAttachments, (a) => {
    const gone = Object.entries(a.entries).filter(([, e]) => e.netnsPath && !netnsAlive(e.netnsPath));
    for (const [id] of gone) delete a.entries[id];
    return gone;
  });
  for (const [id, e] of dead) await driver.detach(net, { containerId: id, netnsPath: e.netnsPath, ifname: e.ifname });
  const more = driver.reclaim ? await driver.reclaim(net, (_id, path) => netnsAlive(path)) : 0;
  return dead.length + more;
}

export async function connect(ctx: NetworkContext, ref: string, req: AttachRequest): Promise<AttachResult> {
  const net = await getNetwork(ctx, ref);
  const driver = await ctx.registry.networkDriver(net.driver);
  const dir = netDir(ctx, net);
  // Recorded first: a crash in the middle still leaves a trace to reclaim.
  withLockedFile(dir, "attachments", noAttachments, (a) => {
    for (const [id, e] of Object.entries(a.entries)) if (e.netnsPath && !netnsAlive(e.netnsPath)) delete a.entries[id];
    if (a.entries[req.containerId]) throw new HuskError(`container ${req.containerId.slice(0, 12)} is already connected to network ${net.name}`);
    a.entries[req.containerId] = { netnsPath: req.netnsPath, ifname: req.ifname, at: new Date().toISOString() };
  });
  try {
    return await driver.attach(net, req); // the guard detaches on failure
  } catch (e) {
    withLockedFile(dir, "attachments", noAttachments, (a) => void delete a.entries[req.containerId]);
    throw e;
  }
}

export async function disconnect(ctx: NetworkContext, ref: string, containerId: string, opts: { netnsGoing?: boolean } = {}): Promise<void> {
  const net = await getNetwork(ctx, ref);
  const driver = await ctx.registry.networkDriver(net.driver);
  const dir = netDir(ctx, net);
  const a = readFile(dir, "attachments", noAttachments).entries[containerId];
  await driver.detach(net, { containerId, netnsPath: a?.netnsPath, ifname: a?.ifname ?? "eth0", ...(opts.netnsGoing ? { netnsGoing: true } : {}) });
  withLockedFile(dir, "attachments", noAttachments, (s) => void delete s.entries[containerId]);
}

/** Container ids attached to the network whose netns is still alive. */
export function liveAttachments(ctx: NetworkContext, net: NetworkConfig): string[] {
  const a = readFile(netDir(ctx, net), "attachments", noAttachments);
  return Object.entries(a.entries).filter(([, e]) => !e.netnsPath || netnsAlive(e.netnsPath)).map(([id]) => id);
}

export async function removeNetwork(ctx: NetworkContext, ref: string, force = false): Promise<NetworkConfig> {
  const net = ctx.store.get(ref);
  if (net.builtin && !force) throw new HuskError(`network "${net.name}" is built in and cannot be removed`);
  const live = liveAttachments(ctx, net);
  if (live.length && !force)
    throw new HuskError(`network "${net.name}" is in use by ${live.length} container(s): ${live.map((i) => i.slice(0, 12)).join(", ")}`, "stop and remove them, or disconnect them first");
  const driver = await ctx.registry.networkDriver(net.driver);
  await reclaimNetwork(ctx, net);
  await driver.deleteNetwork(net);
  ctx.store.remove(net.name);
  return net;
}

/** Removes every user-defined network with no live container; returns their names. */
export async function pruneNetworks(ctx: NetworkContext): Promise<string[]> {
  const removed: string[] = [];
  for (const net of ctx.store.list()) {
    if (net.builtin || liveAttachments(ctx, net).length) continue;
    await removeNetwork(ctx, net.name);
    removed.push(net.name);
  }
  return removed;
}

export async function inspectNetwork(ctx: NetworkContext, ref: string): Promise<Record<string, unknown>> {
  const net = await getNetwork(ctx, ref);
  const driver = await ctx.registry.networkDriver(net.driver);
  return { ...net, attachments: liveAttachments(ctx, net), driverState: driver.inspect ? await driver.inspect(net) : {} };
}
