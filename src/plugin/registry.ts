// The plugin registry: bundled plugins first, then plugins imported from disk. Plugins from
// disk are only imported when asked for (listing, or a driver name that is not bundled),
// so commands that use bundled drivers pay nothing for the search; a bundled plugin's
// module is evaluated only when it is found or listed.
import type { NetworkDriver, PluginKind, PluginManifest, PluginModule, VolumeDriver } from "./api.ts";
import { BUNDLED_PLUGINS, type BundledPlugin } from "./bundled.ts";
import { findPluginFiles, pluginSearchPath } from "./discovery.ts";
import { PluginError } from "./errors.ts";
import { guardNetworkDriver, NETWORK_DRIVER_METHODS } from "./guard.ts";
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
  /** by name, in listing order; a bundled plugin not needed yet is still its loader */
  private entries = new Map<string, PluginEntry | BundledPlugin>();
  private externalLoaded = false;
  private drivers = new Map<string, NetworkDriver | VolumeDriver>();
  /** plugins on disk that could not be loaded (shown by `husk plugin ls`) */
  readonly problems: LoadProblem[] = [];

  constructor(
    readonly paths: HostPaths,
    private searchPath: string[] = pluginSearchPath(),
    bundled: (PluginModule | BundledPlugin)[] = BUNDLED_PLUGINS,
  ) {
    for (const m of bundled) {
      if ("load" in m) this.entries.set(m.name, m);
      else this.entries.set(m.manifest.name, { manifest: m.manifest, source: "bundled", module: m });
    }
  }

  /** The entry of `name`, importing a bundled plugin's module the first time. */
  private async entry(name: string): Promise<PluginEntry | undefined> {
    const e = this.entries.get(name);
    if (!e || !("load" in e)) return e;
    const module = await e.load();
    if (module.manifest.name !== name) throw new PluginError(name, module.manifest.kind, `the bundled plugin's manifest says "${module.manifest.name}"`);
    const loaded: PluginEntry = { manifest: module.manifest, source: "bundled", module };
    this.entries.set(name, loaded); // same key: its place in the listing order is kept
    return loaded;
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
          throw new PluginError(mod.manifest.name, mod.manifest.kind, `${file} uses a name already taken by ${"load" in taken || taken.source === "bundled" ? "a bundled plugin" : taken.source}`, "rename the plugin in its manifest");
        this.entries.set(mod.manifest.name, { manifest: mod.manifest, source: file, module: mod });
      } catch (e) {
        const error = e instanceof PluginError ? e : new PluginError(file, "", `cannot load: ${(e as Error).message ?? e}`);
        this.problems.push({ source: file, error });
      }
    }
  }

  async list(): Promise<PluginEntry[]> {
    await this.loadExternal();
    const out: PluginEntry[] = [];
    for (const name of [...this.entries.keys()]) out.push((await this.entry(name))!);
    return out;
  }

  async find(name: string, kind?: PluginKind): Promise<PluginEntry> {
    let e = await this.entry(name);
    if (!e) {
      await this.loadExternal();
      e = await this.entry(name);
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
  networkDriver(name: string): Promise<NetworkDriver> {
    return this.driver(name, "network", NETWORK_DRIVER_METHODS, guardNetworkDriver);
  }

  volumeDriver(name: string): Promise<VolumeDriver> {
    return this.driver(name, "volume", VOLUME_DRIVER_METHODS, guardVolumeDriver);
  }

  private async driver<D extends NetworkDriver | VolumeDriver>(name: string, kind: PluginKind, methods: readonly (keyof D)[], guard: (name: string, d: D) => D): Promise<D> {
    const cached = this.drivers.get(name);
    if (cached) return cached as D;
    const e = await this.find(name, kind);
    let raw: D;
    try {
      raw = e.module.create(makePluginHost(e.manifest, this.paths)) as D;
    } catch (err) {
      throw PluginError.wrap(name, kind, "create", err);
    }
    for (const m of methods)
      if (typeof raw?.[m] !== "function") throw new PluginError(name, kind, `driver has no ${String(m)}() method`, "see docs/plugins.md");
    const driver = guard(e.manifest.name, raw);
    this.drivers.set(name, driver);
    return driver;
  }
}
