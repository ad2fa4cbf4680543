// What a container record keeps about its networks (docker's NetworkSettings.Networks
// entries, field names as docker spells them, plus the interface name husk gave it).
import type { PortMapping } from "../plugin/api.ts";

export interface EndpointSettings {
  NetworkID: string;
  /** the plugin that serves the network */
  Driver: string;
  /** the interface inside the container: eth0, eth1, ... */
  Interface: string;
  Aliases: string[];
  /** what --ip / --ip6 asked for */
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string };
  MacAddress: string;
  // Filled in by attach (empty until the container's netns is attached).
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  /** the published ports of this endpoint, host ports chosen (-P, -p 80) */
  Ports?: PortMapping[];
}

/** The record's `network` (docs/engine-design.md): where the netns comes from. */
export interface SandboxRecord {
  driver: string;
  name: string;
  /** new: husk makes <root>/netns/<id>; path: join netnsPath; host: none of its own */
  sandbox?: "new" | "path" | "host";
  netnsPath?: string;
  attachment?: unknown;
}

export function emptyEndpoint(networkId: string, driver: string, ifname: string, aliases: string[], ipam: EndpointSettings["IPAMConfig"], mac = ""): EndpointSettings {
  return {
    NetworkID: networkId, Driver: driver, Interface: ifname, Aliases: aliases, IPAMConfig: ipam, MacAddress: mac,
    EndpointID: "", Gateway: "", IPAddress: "", IPPrefixLen: 0, IPv6Gateway: "", GlobalIPv6Address: "", GlobalIPv6PrefixLen: 0,
  };
}
