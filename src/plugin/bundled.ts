// The plugins compiled into husk. They are written against the same API as plugins on disk.
// Each is imported only when a command needs it (its driver, or `husk plugin ls`): the
// bridge plugin alone pulls in netlink, firewall and IPAM code that `husk volume ls` has no
// use for. The names are known up front so that a plugin on disk cannot take one.
import type { PluginModule } from "./api.ts";

export interface BundledPlugin {
  /** the manifest's name (test/unit/plugin-api.test.ts checks that they agree) */
  name: string;
  load: () => Promise<PluginModule>;
}

const mod = (m: unknown) => m as PluginModule;

export const BUNDLED_PLUGINS: BundledPlugin[] = [
  { name: "bridge", load: () => import("../../plugins/network/bridge/index.ts").then(mod) },
  { name: "cni", load: () => import("../../plugins/network/cni/index.ts").then(mod) },
  { name: "host", load: () => import("../../plugins/network/host/index.ts").then(mod) },
  { name: "netns", load: () => import("../../plugins/network/netns/index.ts").then(mod) },
  { name: "none", load: () => import("../../plugins/network/none/index.ts").then(mod) },
  { name: "local", load: () => import("../../plugins/volume/local/index.ts").then(mod) },
];
