// /etc/hosts and /etc/resolv.conf as the container's networks make them: the flags'
// entries (at create), then the container's own addresses once attached. Blocks that
// network drivers keep in the hosts file (other containers of a user-defined network)
// are left as they are.
import { readFileSync, writeFileSync } from "node:fs";
import { writeBlock } from "../network/hosts-file.ts";
import type { AttachResult } from "../plugin/api.ts";
import { type EtcNetwork, hostsFile } from "./etc-files.ts";
import type { ContainerRecord } from "./record.ts";

export function etcNetworkOf(rec: ContainerRecord): EtcNetwork {
  const hc = rec.hostConfig;
  return { extraHosts: hc.ExtraHosts, dns: hc.Dns, dnsSearch: hc.DnsSearch, dnsOptions: hc.DnsOptions };
}

/** The "# husk network NAME begin" ... "end" blocks of a hosts file, verbatim. */
export function driverBlocks(text: string): string[] {
  const out: string[] = [];
  let block: string[] | undefined;
  for (const line of text.split("\n")) {
    if (/^# husk network \S+ begin$/.test(line)) block = [line];
    else if (block) {
      block.push(line);
      if (/^# husk network \S+ end$/.test(line)) {
        out.push(block.join("\n"));
        block = undefined;
      }
    }
  }
  return out;
}

/** The container's own addresses on its networks. */
export function ownAddresses(rec: ContainerRecord): string[] {
  return Object.values(rec.networks ?? {}).flatMap((e) => [e.IPAddress, e.GlobalIPv6Address].filter(Boolean));
}

/** The hosts file of a container with its own addresses: the base lines and --add-host,
 * then one line per address with the host name (docker's layout), then the drivers' blocks. */
export function composeHosts(rec: ContainerRecord, current: string): string {
  const hostname = rec.config.Hostname || rec.id.slice(0, 12);
  const own = ownAddresses(rec);
  const base = hostsFile({ hostname, hostNetwork: false, net: etcNetworkOf(rec) }).split("\n").filter((l) => l && (!own.length || !l.startsWith("127.0.1.1\t")));
  return `${[...base, ...own.map((ip) => `${ip}\t${hostname}`), ...driverBlocks(current)].join("\n")}\n`;
}

/** Rewritten in place: the file is bind-mounted, a rename would leave the container the old inode. */
export function writeHosts(path: string, rec: ContainerRecord): void {
  let current = "";
  try {
    current = readFileSync(path, "utf8");
  } catch {}
  const next = composeHosts(rec, current);
  if (next !== current) writeFileSync(path, next);
}

/** Names a driver returned without keeping a block of its own (a third-party driver):
 * the engine keeps them in that network's block. */
export function addDriverHosts(path: string, network: string, result: AttachResult): void {
  if (!result.hosts?.length) return;
  let current = "";
  try {
    current = readFileSync(path, "utf8");
  } catch {}
  if (current.includes(`# husk network ${network} begin\n`)) return;
  writeBlock(path, network, result.hosts.map((h) => `${h.address}\t${h.names.join(" ")}`));
}

/** DNS servers a driver handed out, added to resolv.conf unless --dns chose them. */
export function addDriverDns(path: string, rec: ContainerRecord, results: AttachResult[]): void {
  const dns = results.flatMap((r) => r.dns?.nameservers ?? []);
  if (!dns.length || rec.hostConfig.Dns?.length) return;
  const current = readFileSync(path, "utf8");
  const missing = dns.filter((d) => !current.includes(`nameserver ${d}\n`));
  if (missing.length) writeFileSync(path, `${missing.map((d) => `nameserver ${d}`).join("\n")}\n${current}`);
}
