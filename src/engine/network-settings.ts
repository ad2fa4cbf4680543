// The network part of `run`/`create` flags, into the record: HostConfig's PortBindings,
// PublishAllPorts, Dns*, ExtraHosts, Config.MacAddress and the endpoint asked for on the
// container's network. Pure; the network itself is looked up at create (network-sandbox.ts).
import type { ImageConfig } from "../image/config-to-process.ts";
import type { ContainerConfig, HostConfig } from "./docker-types.ts";
import { badValue } from "./flags/bad-value.ts";
import { parseAddHost, parseAlias, parseDns, parseDnsOption, parseDnsSearch, parseMac, parsePublishes, parseStaticIp, publishAll } from "./flags/network.ts";
import type { NetworkChoice } from "./flags/policies.ts";
import { emptyEndpoint, type EndpointSettings } from "./network-types.ts";

export interface NetworkFlags {
  publish?: string[];
  publishAll?: boolean;
  ip?: string;
  ip6?: string;
  networkAlias?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  addHost?: string[];
  macAddress?: string;
}

export interface NetworkSettingsPart {
  hostConfig: Pick<HostConfig, "PortBindings" | "PublishAllPorts" | "Dns" | "DnsSearch" | "DnsOptions" | "ExtraHosts">;
  config: Pick<ContainerConfig, "MacAddress">;
  /** present when the container is on a network of the registry (bridge, NAME, netns:NAME) */
  networks?: Record<string, EndpointSettings>;
}

export function networkSettings(flags: NetworkFlags, choice: NetworkChoice, image: ImageConfig): NetworkSettingsPart {
  const own = choice.mode === "network";
  const needsOwn = (flag: string, value: string) => {
    if (!own) throw badValue(flag, value, `needs a network of its own (--network bridge or NAME), not --network ${choice.mode}`);
  };
  const publishes = flags.publish ?? [];
  let ports = parsePublishes(publishes);
  if (flags.publishAll) ports = publishAll(image.ExposedPorts, ports);
  // docker drops published ports with --network host (the ports are the host's already).
  if (choice.mode === "host") ports = {};
  else if (Object.keys(ports).length) needsOwn(publishes.length ? "--publish" : "--publish-all", publishes[0] ?? "true");
  const v6 = Object.values(ports).flat().find((b) => b.HostIp.includes(":"));
  if (v6) throw badValue("--publish", v6.HostIp, "husk publishes ports on IPv4 host addresses only");
  const ip = flags.ip === undefined ? undefined : parseStaticIp("--ip", flags.ip);
  const ip6 = flags.ip6 === undefined ? undefined : parseStaticIp("--ip6", flags.ip6);
  if (ip) needsOwn("--ip", ip);
  if (ip6) needsOwn("--ip6", ip6);
  if (own && (ip || ip6) && choice.name === "bridge") throw badValue(ip ? "--ip" : "--ip6", (ip ?? ip6)!, "a static address needs a user-defined network (husk network create)");
  const aliases = (flags.networkAlias ?? []).map(parseAlias);
  if (aliases.length) needsOwn("--network-alias", aliases[0]!);
  const mac = flags.macAddress === undefined ? undefined : parseMac(flags.macAddress);
  if (mac) needsOwn("--mac-address", mac);
  const part: NetworkSettingsPart = {
    hostConfig: {
      PortBindings: ports,
      PublishAllPorts: !!flags.publishAll,
      Dns: (flags.dns ?? []).map(parseDns),
      DnsSearch: (flags.dnsSearch ?? []).map(parseDnsSearch),
      DnsOptions: (flags.dnsOption ?? []).map(parseDnsOption),
      ExtraHosts: (flags.addHost ?? []).map(parseAddHost),
    },
    config: mac ? { MacAddress: mac } : {},
  };
  if (own) {
    const name = choice.name.split(":")[0]!;
    part.networks = { [name]: emptyEndpoint("", "", "eth0", aliases, { ...(ip ? { IPv4Address: ip } : {}), ...(ip6 ? { IPv6Address: ip6 } : {}) }, mac ?? "") };
  }
  return part;
}
