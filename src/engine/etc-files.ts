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
}

export function hostsFile(input: EtcInput): string {
  if (input.hostNetwork && input.hostHosts !== undefined) return input.hostHosts;
  return [
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "ff00::0\tip6-mcastprefix",
    "ff02::1\tip6-allnodes",
    "ff02::2\tip6-allrouters",
    `127.0.1.1\t${input.hostname}`,
    "",
  ].join("\n");
}

/** The host's resolv.conf; in a network namespace of its own a loopback resolver is
 * unreachable, so those nameserver lines go (docker drops them too). */
export function resolvConf(input: EtcInput): string {
  const text = input.hostResolv ?? "";
  if (input.hostNetwork) return text;
  const kept = text.split("\n").filter((l) => !/^\s*nameserver\s+(127\.|::1\s*$)/.test(l));
  return kept.join("\n");
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Writes the three files; returns the bind mounts (host source, container destination). */
export function writeEtcFiles(dir: string, hostname: string, hostNetwork: boolean): { source: string; destination: string }[] {
  const input: EtcInput = { hostname: hostNetwork ? osHostname() : hostname, hostNetwork, hostResolv: readOr("/etc/resolv.conf"), hostHosts: readOr("/etc/hosts") };
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
