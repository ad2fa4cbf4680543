// Volumes as the CLI and the engine use them: create (or find) a volume through its driver,
// mount it for a container and release it, list, inspect, remove and prune. Drivers are
// husk plugins (bundled `local`, or JS/TS plugins on disk) or docker volume plugins that
// speak HTTP on a unix socket. The catalog (catalog.ts) records which driver owns which
// name and who has it mounted; container records say who uses it at all.
import { readContainerRefs } from "../image/container-refs.ts";
import type { VolumeConfig, VolumeDriver } from "../plugin/api.ts";
import { PluginError } from "../plugin/errors.ts";
import { PluginRegistry } from "../plugin/registry.ts";
import { HuskError } from "../runtime/errors.ts";
import { readCatalog, type VolumeRecord, withCatalog } from "./catalog.ts";
import { dockerVolumeDriver } from "./docker-plugin/driver.ts";
import { matchesFilters, type VolumeFilters } from "./filters.ts";
import { anonymousVolumeName, checkVolumeName } from "./names.ts";

export interface VolumeContext {
  root: string;
  dataRoot: string;
  registry: PluginRegistry;
  drivers: Map<string, VolumeDriver>;
}

export function volumeContext(root: string, dataRoot: string, registry?: PluginRegistry): VolumeContext {
  return { root, dataRoot, registry: registry ?? new PluginRegistry({ root, dataRoot }), drivers: new Map() };
}

export const DEFAULT_DRIVER = "local";

/** The driver named `name`: a husk plugin first, then a docker volume plugin socket. */
export async function volumeDriver(ctx: VolumeContext, name: string): Promise<VolumeDriver> {
  const cached = ctx.drivers.get(name);
  if (cached) return cached;
  let driver: VolumeDriver;
  try {
    driver = await ctx.registry.volumeDriver(name);
  } catch (e) {
    const notFound = e instanceof PluginError && e.plugin === name && /not found/.test(e.message);
    const docker = notFound ? dockerVolumeDriver(name) : undefined;
    if (!docker) throw notFound ? new PluginError(name, "volume", "not found", "see 'husk plugin ls'; docker volume plugins are looked up as /run/docker/plugins/NAME.sock, /etc/docker/plugins/NAME.spec|.json and /etc/husk/plugins/NAME.sock|.spec|.json") : e;
    driver = docker;
  }
  ctx.drivers.set(name, driver);
  return driver;
}

export interface CreateVolumeOptions {
  /** left out: a fresh anonymous name */
  name?: string;
  driver?: string;
  options?: Record<string, string>;
  labels?: Record<string, string>;
  anonymous?: boolean;
}

function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** Creates a volume, or returns the one of that name when the request matches it. */
export async function createVolume(ctx: VolumeContext, o: CreateVolumeOptions): Promise<VolumeRecord> {
  const name = o.name ?? anonymousVolumeName();
  const why = checkVolumeName(name);
  if (why) throw new HuskError(`invalid volume name "${name}": ${why}`, undefined, 125);
  const driverName = o.driver ?? DEFAULT_DRIVER;
  const existing = readCatalog(ctx.dataRoot)[name];
  if (existing) {
    if (existing.driver !== driverName) throw new HuskError(`volume ${name} already exists with driver ${existing.driver}`, `use --driver ${existing.driver}, or another name`, 125);
    if (o.options && Object.keys(o.options).length && !sameOptions(existing.options, o.options))
      throw new HuskError(`volume ${name} already exists with other options`, "remove it first, or leave the options out to use it as it is", 125);
    return existing;
  }
  const driver = await volumeDriver(ctx, driverName);
  const cfg: VolumeConfig = await driver.create(name, o.options ?? {});
  return withCatalog(ctx.dataRoot, (vols) => {
    // Another husk may have made it meanwhile, through the same driver: theirs stands.
    if (vols[name]) return vols[name]!;
    const rec: VolumeRecord = {
      name, driver: driverName, created: cfg.created || new Date().toISOString(), labels: { ...o.labels }, options: { ...(o.options ?? {}) },
      anonymous: o.anonymous ?? false, mounts: {},
    };
    vols[name] = rec;
    return rec;
  });
}

/** The catalog's record of `name`; a volume a driver knows but husk does not (made by a
 * docker plugin elsewhere, or before the catalog) is adopted when `driver` lists it. */
export async function findVolume(ctx: VolumeContext, name: string, driverHint?: string): Promise<VolumeRecord | undefined> {
  const rec = readCatalog(ctx.dataRoot)[name];
  if (rec || !driverHint) return rec;
  const listed = (await (await volumeDriver(ctx, driverHint)).list()).find((v) => v.name === name);
  if (!listed) return undefined;
  return withCatalog(ctx.dataRoot, (vols) => (vols[name] ??= { name, driver: driverHint, created: listed.created, labels: listed.labels ?? {}, options: listed.options ?? {}, anonymous: false, mounts: {} }));
}

export async function getVolume(ctx: VolumeContext, name: string): Promise<VolumeRecord> {
  const rec = await findVolume(ctx, name);
  if (!rec) throw new HuskError(`volume ${name} not found`, "see 'husk volume ls'", 125);
  return rec;
}

const configOf = (r: VolumeRecord): VolumeConfig => ({ name: r.name, driver: r.driver, created: r.created, options: r.options, labels: r.labels });

/** Containers (ids) that use each volume: their records, and live mounts in the catalog. */
export function volumeUsers(ctx: VolumeContext): Map<string, string[]> {
  const users = new Map<string, string[]>();
  const add = (vol: string, id: string) => {
    const list = users.get(vol) ?? [];
    if (!list.includes(id)) list.push(id);
    users.set(vol, list);
  };
  const refs = readContainerRefs(ctx.dataRoot);
  if (refs.unreadable.length)
    throw new HuskError(`cannot tell which containers use volumes: unreadable container record ${refs.unreadable[0]}`, "remove or repair that container", 125);
  for (const c of refs.containers) for (const v of c.volumes ?? []) add(v, c.id);
  for (const v of Object.values(readCatalog(ctx.dataRoot))) for (const id of Object.keys(v.mounts)) add(v.name, id);
  return users;
}

/** Mounts the volume for one container; returns the host path to bind. */
export async function mountVolume(ctx: VolumeContext, name: string, mountId: string): Promise<string> {
  const rec = await getVolume(ctx, name);
  const driver = await volumeDriver(ctx, rec.driver);
  // Recorded first, so that a crash between the two still shows the volume as in use.
  withCatalog(ctx.dataRoot, (vols) => {
    if (vols[name]) vols[name]!.mounts[mountId] = new Date().toISOString();
  });
  try {
    const { hostPath } = await driver.mount(configOf(rec), mountId);
    if (!hostPath?.startsWith("/")) throw new PluginError(rec.driver, "volume", `mount ${name}: the driver returned no absolute host path ("${hostPath ?? ""}")`);
    return hostPath;
  } catch (e) {
    withCatalog(ctx.dataRoot, (vols) => void delete vols[name]?.mounts[mountId]);
    throw e;
  }
}

/** The reverse of mountVolume; idempotent. */
export async function unmountVolume(ctx: VolumeContext, name: string, mountId: string): Promise<void> {
  const rec = readCatalog(ctx.dataRoot)[name];
  if (!rec) return;
  const driver = await volumeDriver(ctx, rec.driver);
  await driver.unmount(configOf(rec), mountId);
  withCatalog(ctx.dataRoot, (vols) => void delete vols[name]?.mounts[mountId]);
}

export async function listVolumes(ctx: VolumeContext, filters: VolumeFilters = new Map()): Promise<VolumeRecord[]> {
  const all = Object.values(readCatalog(ctx.dataRoot)).sort((a, b) => a.name.localeCompare(b.name));
  if (!filters.size) return all;
  const users = filters.has("dangling") ? volumeUsers(ctx) : new Map<string, string[]>();
  return all.filter((v) => matchesFilters(v, filters, (n) => (users.get(n)?.length ?? 0) > 0));
}

/** docker's `volume inspect` shape, plus husk's view of who uses it. */
export async function inspectVolume(ctx: VolumeContext, name: string): Promise<Record<string, unknown>> {
  const rec = await getVolume(ctx, name);
  const driver = await volumeDriver(ctx, rec.driver);
  const status = await driver.inspect(configOf(rec));
  const users = volumeUsers(ctx).get(name) ?? [];
  return {
    CreatedAt: rec.created,
    Driver: rec.driver,
    Labels: rec.labels,
    Mountpoint: typeof status.Mountpoint === "string" ? status.Mountpoint : "",
    Name: rec.name,
    Options: rec.options,
    Scope: driver.capabilities().scope,
    Anonymous: rec.anonymous,
    Status: status,
    UsageData: { RefCount: users.length },
    Containers: users,
  };
}

/** Removes a volume no container uses; with force, a missing volume is no error. */
export async function removeVolume(ctx: VolumeContext, name: string, force = false): Promise<boolean> {
  const rec = await findVolume(ctx, name);
  if (!rec) {
    if (force) return false;
    throw new HuskError(`volume ${name} not found`, "see 'husk volume ls'", 125);
  }
  const users = volumeUsers(ctx).get(name) ?? [];
  if (users.length)
    throw new HuskError(`volume ${name} is in use by ${users.length} container(s): ${users.map((u) => u.slice(0, 12)).join(", ")}`, "remove those containers first ('husk rm')", 125);
  const driver = await volumeDriver(ctx, rec.driver);
  await driver.remove(configOf(rec));
  withCatalog(ctx.dataRoot, (vols) => void delete vols[name]);
  return true;
}

/** Removes unused volumes: anonymous ones only, or all with `all`; returns their names. */
export async function pruneVolumes(ctx: VolumeContext, opts: { all?: boolean; filters?: VolumeFilters } = {}): Promise<string[]> {
  const users = volumeUsers(ctx);
  const removed: string[] = [];
  for (const v of Object.values(readCatalog(ctx.dataRoot))) {
    if (users.get(v.name)?.length) continue;
    if (!opts.all && !v.anonymous) continue;
    if (opts.filters && !matchesFilters(v, opts.filters, () => false)) continue;
    await removeVolume(ctx, v.name);
    removed.push(v.name);
  }
  return removed.sort();
}
