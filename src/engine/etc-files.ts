// /etc/hostname, /etc/hosts and /etc/resolv.conf for one container, written under its
// data dir and bind-mounted over the image's (docker does the same).
import { readFileSync, writeFileSync } from "node:fs";
import { hostname as osHostname } from "node:os";

export interface EtcInput {
  hostname: string;
  /** The container shares the host's network: copy the host's files. */
  hostNetwork: boolean;
  hostResolv?: string;
  hostHosts?: string;
  /** --add-host NAME:IP, --dns, --dns-search, --dns-option */
  net?: EtcNetwork;
}

export interface EtcNetwork {
  extraHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
}

export function hostsFile(input: EtcInput): string {
  const extra = (input.net?.extraHosts ?? []).map((h) => {
    const colon = h.indexOf(":");
    return `${h.slice(colon + 1)}\t${h.slice(0, colon)}`;
  });
  if (input.hostNetwork && input.hostHosts !== undefined) return extra.length ? `${input.hostHosts.replace(/\n?$/, "\n")}${extra.join("\n")}\n` : input.hostHosts;
  return [
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "ff00::0\tip6-mcastprefix",
    "ff02::1\tip6-allnodes",
    "ff02::2\tip6-allrouters",
    ...extra,
    `127.0.1.1\t${input.hostname}`,
    "",
  ].join("\n");
}

/** The host's resolv.conf; in a network namespace of its own a loopback resolver is
 * unreachable, so those nameserver lines go (docker drops them too). */
export function resolvConf(input: EtcInput): string {
  const text = input.hostResolv ?? "";
  const kept = input.hostNetwork ? text.split("\n") : text.split("\n").filter((l) => !/^\s*nameserver\s+(127\.|::1\s*$)/.test(l));
  const net = input.net ?? {};
  if (!net.dns?.length && !net.dnsSearch?.length && !net.dnsOptions?.length) return kept.join("\n");
  // docker: each of --dns, --dns-search, --dns-option replaces the host's lines of its kind.
  const lines = (re: RegExp) => kept.filter((l) => re.test(l));
  const ns = net.dns?.length ? net.dns.map((d) => `nameserver ${d}`) : lines(/^\s*nameserver\s/);
  const search = net.dnsSearch?.length ? (net.dnsSearch.includes(".") ? [] : [`search ${net.dnsSearch.join(" ")}`]) : lines(/^\s*(search|domain)\s/);
  const options = net.dnsOptions?.length ? [`options ${net.dnsOptions.join(" ")}`] : lines(/^\s*options\s/);
  return `${[...search, ...ns, ...options].join("\n")}\n`;
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Writes the three files; returns the bind mounts (host source, container destination). */
export function writeEtcFiles(dir: string, hostname: string, hostNetwork: boolean, net?: EtcNetwork): { source: string; destination: string }[] {
  const input: EtcInput = { hostname: hostNetwork ? osHostname() : hostname, hostNetwork, hostResolv: readOr("/etc/resolv.conf"), hostHosts: readOr("/etc/hosts"), net };
  const files: [string, string][] = [
    ["hostname", `${input.hostname}\n`],
    ["hosts", hostsFile(input)],
    ["resolv.conf", resolvConf(input)],
  ];
  return files.map(([name, text]) => {
    writeFileSync(`${dir}/${name}`, text, { mode: 0o644 });
    return { source: `${dir}/${name}`, destination: `/etc/${name}` };
  });
}
