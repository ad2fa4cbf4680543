// A docker volume plugin as a husk VolumeDriver: each method is one call of the protocol.
// Activation (/Plugin.Activate, which must list "VolumeDriver") happens once, on first use.
import type { VolumeConfig, VolumeDriver } from "../../plugin/api.ts";
import { PluginError } from "../../plugin/errors.ts";
import { guardVolumeDriver } from "../../plugin/volume-guard.ts";
import { HuskError } from "../../runtime/errors.ts";
import { callPlugin, PluginCallError } from "./client.ts";
import { findDockerPlugin, type PluginAddress } from "./discovery.ts";

interface WireVolume {
  Name: string;
  Mountpoint?: string;
  CreatedAt?: string;
  Status?: Record<string, unknown>;
}

const HINTS: Record<string, string> = {
  ECONNREFUSED: "is the plugin running? its socket exists but nothing answers",
  ENOENT: "is the plugin running? its socket is gone",
  ETIMEDOUT: "the plugin did not answer; raise HUSK_PLUGIN_TIMEOUT_MS or check the plugin",
};

/** The driver for docker plugin `name`, or undefined when none is installed. */
export function dockerVolumeDriver(name: string): VolumeDriver | undefined {
  let addr: PluginAddress | undefined;
  try {
    addr = findDockerPlugin(name);
  } catch (e) {
    throw new PluginError(name, "volume", (e as Error).message, "fix or remove the plugin's spec file");
  }
  return addr ? guardVolumeDriver(name, makeDockerVolumeDriver(name, addr)) : undefined;
}

export function makeDockerVolumeDriver(name: string, addr: PluginAddress): VolumeDriver {
  let activated: Promise<void> | undefined;
  let scope: "local" | "global" = "local";

  // A plain HuskError: the guard puts "volume plugin NAME: METHOD VOLUME:" in front.
  const fail = (e: unknown): never => {
    if (e instanceof PluginCallError) throw new HuskError(e.message, e.code ? HINTS[e.code] : undefined);
    throw e;
  };
  const activate = () =>
    (activated ??= (async () => {
      const r = await callPlugin<{ Implements?: string[] }>(addr, "Plugin.Activate", {});
      if (!r.Implements?.includes("VolumeDriver"))
        throw new PluginCallError(`Plugin.Activate: implements ${JSON.stringify(r.Implements ?? [])}, not VolumeDriver`);
      try {
        const c = await callPlugin<{ Capabilities?: { Scope?: string } }>(addr, "VolumeDriver.Capabilities", {});
        if (c.Capabilities?.Scope === "global") scope = "global";
      } catch {
        // Capabilities came with docker 1.12; older plugins answer 404: local scope.
      }
    })().catch((e) => {
      activated = undefined; // a plugin that starts later gets another chance
      throw e;
    }));
  const call = async <T extends object>(method: string, body: object): Promise<T> => {
    try {
      await activate();
      return await callPlugin<T>(addr, method, body);
    } catch (e) {
      return fail(e);
    }
  };
  const config = (v: WireVolume): VolumeConfig => ({ name: v.Name, driver: name, created: v.CreatedAt ?? "", options: {}, labels: {} });

  return {
    capabilities: () => ({ scope, propagation: ["rprivate"] }),
    async create(vol, options) {
      await call("VolumeDriver.Create", { Name: vol, Opts: options });
      return { name: vol, driver: name, created: new Date().toISOString(), options, labels: {} };
    },
    async mount(vol, mountId) {
      const r = await call<{ Mountpoint?: string }>("VolumeDriver.Mount", { Name: vol.name, ID: mountId });
      if (!r.Mountpoint) fail(new PluginCallError(`VolumeDriver.Mount ${vol.name}: no Mountpoint in the answer`));
      return { hostPath: r.Mountpoint! };
    },
    async unmount(vol, mountId) {
      await call("VolumeDriver.Unmount", { Name: vol.name, ID: mountId });
    },
    async remove(vol) {
      await call("VolumeDriver.Remove", { Name: vol.name });
    },
    async list() {
      const r = await call<{ Volumes?: WireVolume[] }>("VolumeDriver.List", {});
      return (r.Volumes ?? []).map(config);
    },
    async inspect(vol) {
      const r = await call<{ Volume?: WireVolume }>("VolumeDriver.Get", { Name: vol.name });
      const path = r.Volume?.Mountpoint ? r.Volume.Mountpoint : (await call<{ Mountpoint?: string }>("VolumeDriver.Path", { Name: vol.name })).Mountpoint;
      return { Mountpoint: path ?? "", ...(r.Volume?.Status ? { PluginStatus: r.Volume.Status } : {}), Address: "unix" in addr ? addr.unix : addr.url };
    },
  };
}
