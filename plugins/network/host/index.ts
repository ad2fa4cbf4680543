// The host network driver: the container shares husk's own network namespace.
import type { NetworkDriver, PluginManifest } from "../../../src/plugin/api.ts";
import { PLUGIN_API_VERSION } from "../../../src/plugin/api.ts";

export const manifest: PluginManifest = { name: "host", kind: "network", apiVersion: PLUGIN_API_VERSION, description: "the host's network namespace" };

export function create(): NetworkDriver {
  return {
    sandbox: () => ({ mode: "host" }),
    createNetwork: (req) => ({
      id: req.id, name: req.name, driver: "host", created: new Date().toISOString(), subnets: [], ipv6: false,
      internal: false, options: req.options, labels: {}, builtin: req.builtin || undefined,
    }),
    deleteNetwork() {},
    attach: () => ({ interfaces: [], addresses: [], routes: [] }),
    detach() {},
  };
}
