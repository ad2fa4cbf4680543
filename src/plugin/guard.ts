// Wraps a network driver so that every error names the plugin, and a failed attach never
// leaves a container half attached: husk calls detach after the driver's own undo.
import type { AttachRequest, NetworkDriver } from "./api.ts";
import { PluginError } from "./errors.ts";

export function guardNetworkDriver(name: string, d: NetworkDriver): NetworkDriver {
  const call = async <T>(what: string, fn: () => T | Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw PluginError.wrap(name, "network", what, e);
    }
  };
  return {
    sandbox: d.sandbox
      ? (net, option) => {
          try {
            return d.sandbox!(net, option);
          } catch (e) {
            throw PluginError.wrap(name, "network", "sandbox", e);
          }
        }
      : undefined,
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
