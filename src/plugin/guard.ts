// Wraps a network driver so that every error names the plugin, and a failed attach never
// leaves a container half attached: husk calls detach after the driver's own undo.
import type { AttachRequest, NetworkDriver } from "./api.ts";
import { PluginError, pluginCalls } from "./errors.ts";

export const NETWORK_DRIVER_METHODS = ["createNetwork", "deleteNetwork", "attach", "detach"] as const;

export function guardNetworkDriver(name: string, d: NetworkDriver): NetworkDriver {
  const { call, callSync } = pluginCalls(name, "network");
  return {
    sandbox: d.sandbox ? (net, option) => callSync("sandbox", () => d.sandbox!(net, option)) : undefined,
    createNetwork: (req) => call(`create network ${req.name}`, () => d.createNetwork(req)),
    deleteNetwork: (net) => call(`delete network ${net.name}`, () => d.deleteNetwork(net)),
    attach: async (net, req: AttachRequest) => {
      try {
        return await d.attach(net, req);
      } catch (e) {
        // The driver should have undone its work; detach catches what it missed.
        try {
          await d.detach(net, { containerId: req.containerId, netnsPath: req.netnsPath, ifname: req.ifname });
        } catch {}
        throw PluginError.wrap(name, "network", `attach ${req.containerName || req.containerId.slice(0, 12)} to ${net.name}`, e);
      }
    },
    detach: (net, req) => call(`detach ${req.containerId.slice(0, 12)} from ${net.name}`, () => d.detach(net, req)),
    reclaim: d.reclaim ? (net, alive) => call(`reclaim on ${net.name}`, () => d.reclaim!(net, alive)) : undefined,
    inspect: d.inspect ? (net) => call(`inspect ${net.name}`, () => d.inspect!(net)) : undefined,
  };
}
