// The none network driver: the container gets its own network namespace with only the
// loopback interface, up.
import type { NetworkDriver, PluginHost, PluginManifest } from "../../../src/plugin/api.ts";
import { PLUGIN_API_VERSION } from "../../../src/plugin/api.ts";

export const manifest: PluginManifest = { name: "none", kind: "network", apiVersion: PLUGIN_API_VERSION, description: "loopback only" };

export function create(host: PluginHost): NetworkDriver {
  return {
    createNetwork: (req) => ({
      id: req.id, name: req.name, driver: "none", created: new Date().toISOString(), subnets: [], ipv6: false,
      internal: true, options: req.options, labels: {}, builtin: req.builtin || undefined,
    }),
    deleteNetwork() {},
    attach(_net, req) {
      const nl = host.netnsNetlink(req.netnsPath);
      try {
        nl.linkChange("lo", { up: true });
      } finally {
        nl.close();
      }
      return { interfaces: [{ name: "lo" }], addresses: [], routes: [] };
    },
    detach() {}, // the netns goes away with the container; nothing on the host
  };
}
