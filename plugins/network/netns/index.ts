// The netns network driver: `--network netns:NAME` joins the existing network namespace
// /var/run/netns/NAME (as `ip netns add NAME` makes it), so a hand-built setup is reused.
// husk neither changes nor removes that namespace.
import { join } from "node:path";
import type { NetworkDriver, PluginHost, PluginManifest } from "../../../src/plugin/api.ts";
import { PLUGIN_API_VERSION } from "../../../src/plugin/api.ts";
import { netnsAlive } from "../../../src/network/netns-alive.ts";

export const manifest: PluginManifest = { name: "netns", kind: "network", apiVersion: PLUGIN_API_VERSION, description: "join a named network namespace (/var/run/netns/NAME)" };

export const OPT_DIR = "com.husk.netns.dir";
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function create(host: PluginHost): NetworkDriver {
  return {
    sandbox(net, option) {
      if (!option) throw host.error("needs a namespace name: --network netns:NAME");
      if (!NAME_RE.test(option)) throw host.error(`"${option}" is not a namespace name`, "use the NAME given to 'ip netns add'");
      const path = join(net.options[OPT_DIR] ?? "/var/run/netns", option);
      if (!netnsAlive(path)) throw host.error(`${path} is not a network namespace`, `make it with 'ip netns add ${option}'`);
      return { mode: "path", path };
    },
    createNetwork: (req) => ({
      id: req.id, name: req.name, driver: "netns", created: new Date().toISOString(), subnets: [], ipv6: false,
      internal: false, options: req.options, labels: {}, builtin: req.builtin || undefined,
    }),
    deleteNetwork() {},
    attach: () => ({ interfaces: [], addresses: [], routes: [] }),
    detach() {},
  };
}
