// The plugin registry: bundled plugins first, then plugins imported from disk. Plugins from
// disk are only imported when asked for (listing, or a driver name that is not bundled),
// so commands that use bundled drivers pay nothing for the search.
import type { NetworkDriver, PluginKind, PluginManifest, PluginModule, VolumeDriver } from "./api.ts";
import { BUNDLED_PLUGINS } from "./bundled.ts";
import { findPluginFiles, pluginSearchPath } from "./discovery.ts";
import { PluginError } from "./errors.ts";
import { guardNetworkDriver } from "./guard.ts";
import { type HostPaths, makePluginHost } from "./host.ts";
import { toPluginModule } from "./manifest.ts";
import { guardVolumeDriver, VOLUME_DRIVER_METHODS } from "./volume-guard.ts";

export interface PluginEntry {
  manifest: PluginManifest;
  /** "bundled" or the file it was imported from */
  source: string;
  module: PluginModule;
}

export interface LoadProblem {
  source: string;
  error: Error;
}

export class PluginRegistry {
  private entries = new Map<string, PluginEntry>();
  private externalLoaded = false;
  private drivers = new Map<string, NetworkDriver | VolumeDriver>();
  /** plugins on disk that could not be loaded (shown by `husk plugin ls`) */
  readonly problems: LoadProblem[] = [];

  constructor(
    readonly paths: HostPaths,
    private searchPath: string[] = pluginSearchPath(),
    bundled: PluginModule[] = BUNDLED_PLUGINS,
  ) {
    for (const m of bundled) this.entries.set(m.manifest.name, { manifest: m.manifest, source: "bundled", module: m });
  }

  /** Imports every plugin on the search path. Broken ones are kept in `problems`. */
  async loadExternal(): Promise<void> {
    if (this.externalLoaded) return;
    this.externalLoaded = true;
    for (const file of findPluginFiles(this.searchPath)) {
      try {
        const mod = toPluginModule(await import(file), file);
        const taken = this.entries.get(mod.manifest.name);
        if (taken)
          throw new PluginError(mod.manifest.name, mod.manifest.kind, `${file} uses a name already taken by ${taken.source === "bundled" ? "a bundled plugin" : taken.source}`, "rename the plugin in its manifest");
        this.entries.set(mod.manifest.name, { manifest: mod.manifest, source: file, module: mod });
      } catch (e) {
        const error = e instanceof PluginError ? e : new PluginError(file, "", `cannot load: ${(e as Error).message ?? e}`);
        this.problems.push({ source: file, error });
      }
    }
  }

  async list(): Promise<PluginEntry[]> {
    await this.loadExternal();
    return [...this.entries.values()];
  }

  async find(name: string, kind?: PluginKind): Promise<PluginEntry> {
    let e = this.entries.get(name);
    if (!e) {
      await this.loadExternal();
      e = this.entries.get(name);
    }
    if (!e) {
      const broken = this.problems.find((p) => p.error instanceof PluginError && p.error.plugin === name);
      if (broken) throw broken.error;
      throw new PluginError(name, kind ?? "", "not found", `see 'husk plugin ls'; plugins are searched in ${this.searchPath.join(", ")}`);
    }
    if (kind && e.manifest.kind !== kind) throw new PluginError(name, e.manifest.kind, `is a ${e.manifest.kind} plugin, not a ${kind} plugin`);
    return e;
  }

  /** The network driver of plugin `name`, created once, with its errors naming the plugin. */
  async networkDriver(name: string): Promise<NetworkDriver> {
    const cached = this.drivers.get(name);
    if (cached) return cached as NetworkDriver;
    const e = await this.find(name, "network");
    let raw: NetworkDriver;
    try {
      raw = e.module.create(makePluginHost(e.manifest, this.paths)) as NetworkDriver;
    } catch (err) {
      throw PluginError.wrap(name, "network", "create", err);
    }
    for (const m of ["createNetwork", "deleteNetwork", "attach", "detach"] as const)
      if (typeof raw?.[m] !== "function") throw new PluginError(name, "network", `driver has no ${m}() method`, "see docs/plugins.md");
    const driver = guardNetworkDriver(e.manifest.name, raw);
    this.drivers.set(name, driver);
    return driver;
  }

  async volumeDriver(name: string): Promise<VolumeDriver> {
    const cached = this.drivers.get(name);
    if (cached) return cached as VolumeDriver;
    const e = await this.find(name, "volume");
    let raw: VolumeDriver;
    try {
      raw = e.module.create(makePluginHost(e.manifest, this.paths)) as VolumeDriver;
    } catch (err) {
      throw PluginError.wrap(name, "volume", "create", err);
    }
    for (const m of VOLUME_DRIVER_METHODS)
      if (typeof raw?.[m] !== "function") throw new PluginError(name, "volume", `driver has no ${m}() method`, "see docs/plugins.md");
    const driver = guardVolumeDriver(e.manifest.name, raw);
    this.drivers.set(name, driver);
    return driver;
  }
}
