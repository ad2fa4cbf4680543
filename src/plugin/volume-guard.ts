// Wraps a volume driver so that every error names the plugin ("volume plugin NAME: mount
// data: ..."), whether the driver threw host.error(...) or anything else.
import type { VolumeDriver } from "./api.ts";
import { pluginCalls } from "./errors.ts";

export const VOLUME_DRIVER_METHODS = ["capabilities", "create", "mount", "unmount", "remove", "list", "inspect"] as const;

export function guardVolumeDriver(name: string, d: VolumeDriver): VolumeDriver {
  const { call, callSync } = pluginCalls(name, "volume");
  return {
    capabilities: () => callSync("capabilities", () => d.capabilities()),
    create: (vol, options) => call(`create ${vol}`, () => d.create(vol, options)),
    mount: (vol, id) => call(`mount ${vol.name}`, () => d.mount(vol, id)),
    unmount: (vol, id) => call(`unmount ${vol.name}`, () => d.unmount(vol, id)),
    remove: (vol) => call(`remove ${vol.name}`, () => d.remove(vol)),
    list: () => call("list", () => d.list()),
    inspect: (vol) => call(`inspect ${vol.name}`, () => d.inspect(vol)),
  };
}
