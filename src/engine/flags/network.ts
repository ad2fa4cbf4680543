// The network flags of `run`/`create`: -p/--publish, -P, --ip, --network-alias, --dns,
// --dns-search, --dns-option, --add-host, --mac-address. Pure: checked here, applied by
// the network attach (src/engine/network-attach.ts) and the /etc files.
import { parseIp } from "../../network/cidr.ts";
import { badValue } from "./bad-value.ts";

/** docker's HostConfig.PortBindings: "80/tcp" -> [{HostIp, HostPort}] ("" HostPort: any free port). */
export type PortBindings = Record<string, { HostIp: string; HostPort: string }[]>;

function port(flag: string, whole: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw badValue(flag, whole, "ports are 1-65535");
  return Number(text);
}

function range(flag: string, whole: string, text: string): [number, number] {
  const [a, b] = text.split("-");
  const lo = port(flag, whole, a!);
  const hi = b === undefined ? lo : port(flag, whole, b);
  if (hi < lo) throw badValue(flag, whole, "a port range goes from low to high");
  return [lo, hi];
}

/** One -p value: [ip:][hostPort[-end]:]containerPort[-end][/tcp|udp]. An IPv6 host
 * address is written in brackets ([::1]:8080:80). */
export function parsePublish(text: string): PortBindings {
  const flag = "--publish";
  let rest = text;
  let proto = "tcp";
  const slash = rest.lastIndexOf("/");
  if (slash >= 0) {
    proto = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
    if (proto !== "tcp" && proto !== "udp") throw badValue(flag, text, "the protocol is tcp or udp");
  }
  let hostIp = "";
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]:");
    if (close < 0) throw badValue(flag, text, "expected [IPv6]:HOST:CONTAINER");
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
    if (parseIp(hostIp)?.family !== 6) throw badValue(flag, text, `${hostIp} is not an IPv6 address`);
    const parts = rest.split(":");
    if (parts.length !== 2) throw badValue(flag, text, "expected [IPv6]:HOST:CONTAINER");
    return bindings(flag, text, hostIp, parts[0]!, parts[1]!, proto);
  }
  const parts = rest.split(":");
  if (parts.length > 3 || parts.some((p, i) => p === "" && !(parts.length === 3 && i === 1))) throw badValue(flag, text, "expected [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp]");
  if (parts.length === 3) {
    hostIp = parts[0]!;
    if (!parseIp(hostIp)) throw badValue(flag, text, `${hostIp} is not an IP address`);
  }
  const container = parts[parts.length - 1]!;
  const host = parts.length >= 2 ? parts[parts.length - 2]! : "";
  return bindings(flag, text, hostIp, host, container, proto);
}

function bindings(flag: string, text: string, hostIp: string, host: string, container: string, proto: string): PortBindings {
  const [clo, chi] = range(flag, text, container);
  const out: PortBindings = {};
  if (host === "") {
    for (let p = clo; p <= chi; p++) out[`${p}/${proto}`] = [{ HostIp: hostIp, HostPort: "" }];
    return out;
  }
  const [hlo, hhi] = range(flag, text, host);
  if (hhi - hlo !== chi - clo) throw badValue(flag, text, "the host and container ranges must have the same length");
  for (let i = 0; i <= chi - clo; i++) out[`${clo + i}/${proto}`] = [{ HostIp: hostIp, HostPort: String(hlo + i) }];
  return out;
}

/** Every -p value merged (one container port may be published on several host ports). */
export function parsePublishes(items: string[]): PortBindings {
  const out: PortBindings = {};
  for (const item of items) for (const [k, v] of Object.entries(parsePublish(item))) (out[k] ??= []).push(...v);
  return out;
}

/** -P: every ExposedPorts entry not bound by -p gets any free host port. */
export function publishAll(exposed: Record<string, object> | undefined, bound: PortBindings): PortBindings {
  const out: PortBindings = { ...bound };
  for (const key of Object.keys(exposed ?? {})) {
    const k = key.includes("/") ? key : `${key}/tcp`;
    out[k] ??= [{ HostIp: "", HostPort: "" }];
  }
  return out;
}

/** --add-host NAME:IP (docker also takes NAME=IP); "host-gateway" is not known to husk. */
export function parseAddHost(text: string): string {
  const sep = text.includes("=") ? text.indexOf("=") : text.indexOf(":");
  const name = text.slice(0, sep);
  let ip = text.slice(sep + 1);
  if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.slice(1, -1);
  if (sep <= 0 || !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(name)) throw badValue("--add-host", text, "expected NAME:IP");
  if (!parseIp(ip)) throw badValue("--add-host", text, `${ip} is not an IP address`);
  return `${name}:${ip}`;
}

export function parseDns(text: string): string {
  if (!parseIp(text)) throw badValue("--dns", text, "expected an IP address");
  return text;
}

export function parseDnsSearch(text: string): string {
  if (text !== "." && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(text)) throw badValue("--dns-search", text, "expected a domain name (or '.' for none)");
  return text;
}

export function parseDnsOption(text: string): string {
  if (!/^[a-z0-9-]+(:\d+)?$/.test(text)) throw badValue("--dns-option", text, "expected an option such as ndots:2 or edns0");
  return text;
}

export function parseStaticIp(flag: "--ip" | "--ip6", text: string): string {
  const ip = parseIp(text);
  if (!ip || ip.family !== (flag === "--ip" ? 4 : 6)) throw badValue(flag, text, `expected an IPv${flag === "--ip" ? 4 : 6} address`);
  return text;
}

export function parseAlias(text: string): string {
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,62})$/.test(text)) throw badValue("--network-alias", text, "expected a host name");
  return text;
}

/** --mac-address: a unicast address (the low bit of the first octet clear). */
export function parseMac(text: string): string {
  const t = text.toLowerCase();
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(t)) throw badValue("--mac-address", text, "expected six hex octets such as 02:42:ac:11:00:02");
  if (parseInt(t.slice(0, 2), 16) & 1) throw badValue("--mac-address", text, "a multicast address cannot be an interface's address");
  return t;
}

/** docker's choice when none is given: 02:42 then the IPv4 address, so it is stable and unique per network. */
export function macFromIpv4(ipv4: string): string {
  return ["02", "42", ...ipv4.split(".").map((o) => Number(o).toString(16).padStart(2, "0"))].join(":");
}
