// Published ports: docker's PortBindings into the driver's PortMapping list, with a free
// host port picked for "-p 80" and -P (the kernel's choice of an ephemeral port, asked by
// binding port 0 for a moment), and `husk port`'s lines.
import type { PortMapping } from "../plugin/api.ts";
import type { PortBindings } from "./flags/network.ts";

/** A host port nobody listens on now, from the kernel's ephemeral range. */
export async function freeHostPort(protocol: "tcp" | "udp", hostIp: string): Promise<number> {
  const hostname = hostIp || "0.0.0.0";
  if (protocol === "tcp") {
    const l = Bun.listen({ hostname, port: 0, socket: { data() {} } });
    const port = l.port;
    l.stop(true);
    return port;
  }
  const s = await Bun.udpSocket({ hostname, port: 0 });
  const port = s.port;
  s.close();
  return port;
}

export async function resolvePorts(bindings: PortBindings, pick = freeHostPort): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const [port, proto] = key.split("/");
    const protocol = proto === "udp" ? "udp" : "tcp";
    for (const b of list) {
      const hostPort = b.HostPort ? Number(b.HostPort) : await pick(protocol, b.HostIp);
      out.push({ ...(b.HostIp ? { hostIp: b.HostIp } : {}), hostPort, containerPort: Number(port), protocol });
    }
  }
  return out;
}

/** docker's NetworkSettings.Ports: every exposed or published port, with its host bindings (null: not published). */
export function portsView(exposed: Record<string, object> | undefined, mapped: PortMapping[]): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const k of Object.keys(exposed ?? {})) out[k.includes("/") ? k : `${k}/tcp`] = null;
  for (const p of mapped) (out[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp ?? "0.0.0.0", HostPort: String(p.hostPort) });
  return out;
}

/** `husk port` lines: "80/tcp -> 0.0.0.0:8080". */
export function portLines(mapped: PortMapping[], filter?: string): string[] {
  const want = filter ? (filter.includes("/") ? filter : `${filter}/tcp`) : undefined;
  return mapped
    .filter((p) => !want || `${p.containerPort}/${p.protocol}` === want)
    .map((p) => {
      const ip = p.hostIp ?? "0.0.0.0";
      const host = ip.includes(":") ? `[${ip}]` : ip;
      return want ? `${host}:${p.hostPort}` : `${p.containerPort}/${p.protocol} -> ${host}:${p.hostPort}`;
    });
}
