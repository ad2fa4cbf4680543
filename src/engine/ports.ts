// `husk port`: the container's published ports. They come from the network attachment
// when the driver reports what it bound (host port 0 becomes the one it got), else from
// the -p bindings kept in HostConfig.PortBindings. Both use docker's shape:
// { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }] }.
import { HuskError } from "../runtime/errors.ts";
import type { ContainerRecord } from "./record.ts";

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}
export type PortMap = Record<string, PortBinding[] | null>;

function asPortMap(v: unknown): PortMap | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as PortMap) : undefined;
}

export function publishedPorts(rec: ContainerRecord): PortMap {
  const attachment = rec.network?.attachment as { Ports?: unknown; ports?: unknown } | undefined;
  return asPortMap(attachment?.Ports) ?? asPortMap(attachment?.ports) ?? asPortMap((rec.hostConfig as { PortBindings?: unknown }).PortBindings) ?? {};
}

const hostAddr = (b: PortBinding) => `${b.HostIp && b.HostIp.includes(":") ? `[${b.HostIp}]` : b.HostIp || "0.0.0.0"}:${b.HostPort}`;

/** "80" means 80/tcp; a protocol other than tcp, udp or sctp is a mistake. */
export function normalizePrivatePort(text: string): string {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(text);
  if (!m || Number(m[1]) > 65535) throw new HuskError(`invalid port "${text}"`, "use PORT or PORT/PROTO (tcp, udp, sctp), e.g. 80/tcp", 1);
  return `${Number(m[1])}/${m[2] ?? "tcp"}`;
}

const portOrder = (a: string, b: string) => Number(a.split("/")[0]) - Number(b.split("/")[0]) || (a < b ? -1 : a > b ? 1 : 0);

/** docker's lines: "80/tcp -> 0.0.0.0:8080" for all, or "0.0.0.0:8080" for one port. */
export function portLines(ports: PortMap, name: string, privatePort?: string): string[] {
  if (privatePort === undefined) {
    const out: string[] = [];
    for (const key of Object.keys(ports).sort(portOrder)) for (const b of ports[key] ?? []) out.push(`${key} -> ${hostAddr(b)}`);
    return out;
  }
  const key = normalizePrivatePort(privatePort);
  const bound = ports[key] ?? [];
  if (!bound.length) throw new HuskError(`no public port '${key}' published for ${name}`, `see 'husk port ${name}'`, 1);
  return bound.map(hostAddr);
}
