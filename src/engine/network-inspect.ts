// docker's NetworkSettings for `husk inspect`, from the record: the sandbox, the primary
// network's address in the top-level fields, every network under Networks, and Ports.
import type { ContainerPaths } from "./paths.ts";
import { portsView } from "./network-ports.ts";
import type { ContainerRecord } from "./record.ts";

export function networkSettingsView(rec: ContainerRecord, paths: ContainerPaths) {
  const hc = rec.hostConfig;
  const sandbox = rec.network?.sandbox ?? (hc.NetworkMode === "host" ? "host" : "new");
  const networks = rec.networks ?? {};
  const primary = (rec.network && networks[rec.network.name]) || Object.values(networks)[0];
  const mapped = Object.values(networks).flatMap((e) => e.Ports ?? []);
  const shown = Object.keys(networks).length
    ? Object.fromEntries(Object.entries(networks).map(([name, e]) => [name, { ...e, Ports: undefined }]))
    : { [rec.network?.name ?? hc.NetworkMode.split(":")[0]!]: { NetworkID: "", EndpointID: "", Gateway: "", IPAddress: "", IPPrefixLen: 0, MacAddress: "" } };
  return {
    SandboxKey: sandbox === "host" ? "" : (rec.network?.netnsPath ?? paths.netns),
    IPAddress: primary?.IPAddress ?? "",
    IPPrefixLen: primary?.IPPrefixLen ?? 0,
    Gateway: primary?.Gateway ?? "",
    GlobalIPv6Address: primary?.GlobalIPv6Address ?? "",
    GlobalIPv6PrefixLen: primary?.GlobalIPv6PrefixLen ?? 0,
    IPv6Gateway: primary?.IPv6Gateway ?? "",
    MacAddress: primary?.MacAddress ?? "",
    Ports: portsView(rec.config.ExposedPorts, mapped),
    Networks: shown,
  };
}
