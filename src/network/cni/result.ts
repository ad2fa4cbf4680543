// Reading what a plugin printed: the result of an ADD in any spec version (0.1/0.2 had
// "ip4"/"ip6" objects; 0.3 onwards "interfaces"/"ips"/"routes"), converted to the 1.0
// shape, and turned into the AttachResult husk's plugin API returns.
import type { AddressResult, AttachResult, InterfaceResult, RouteResult } from "../../plugin/api.ts";
import type { CniDns, CniErrorJson, CniIp, CniResult, CniRoute } from "./types.ts";

const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

function legacyIp(o: Record<string, any>, routes: CniRoute[]): CniIp | undefined {
  if (!isObject(o) || typeof o.ip !== "string") return undefined;
  for (const r of Array.isArray(o.routes) ? o.routes : []) if (isObject(r) && typeof r.dst === "string") routes.push({ dst: r.dst, gw: r.gw });
  return { address: o.ip, gateway: typeof o.gateway === "string" ? o.gateway : undefined };
}

/** Any version's result object -> the 1.0 shape. */
export function toCurrent(raw: Record<string, any>, listVersion: string): CniResult {
  const version = typeof raw.cniVersion === "string" && raw.cniVersion ? raw.cniVersion : listVersion;
  if ("ip4" in raw || "ip6" in raw) {
    const routes: CniRoute[] = [];
    const ips = [legacyIp(raw.ip4, routes), legacyIp(raw.ip6, routes)].filter((x): x is CniIp => !!x);
    return { cniVersion: version, ips, routes, dns: isObject(raw.dns) ? (raw.dns as CniDns) : undefined };
  }
  const interfaces = Array.isArray(raw.interfaces)
    ? raw.interfaces.filter(isObject).map((i) => ({ name: String(i.name ?? ""), mac: i.mac || undefined, sandbox: i.sandbox || undefined }))
    : undefined;
  const ips = Array.isArray(raw.ips)
    ? raw.ips.filter((i) => isObject(i) && typeof i.address === "string").map((i) => ({ address: i.address, gateway: i.gateway || undefined, interface: typeof i.interface === "number" ? i.interface : undefined }))
    : undefined;
  const routes = Array.isArray(raw.routes) ? raw.routes.filter((r) => isObject(r) && typeof r.dst === "string").map((r) => ({ dst: r.dst, gw: r.gw || undefined })) : undefined;
  return { cniVersion: version, interfaces, ips, routes, dns: isObject(raw.dns) ? (raw.dns as CniDns) : undefined };
}

/** The error JSON of a failed plugin, if stdout holds one. */
export function parseErrorJson(stdout: string): CniErrorJson | undefined {
  try {
    const raw = JSON.parse(stdout);
    if (isObject(raw) && typeof raw.code === "number" && typeof raw.msg === "string") return { code: raw.code, msg: raw.msg, details: typeof raw.details === "string" ? raw.details : undefined, cniVersion: raw.cniVersion };
  } catch {}
  return undefined;
}

/** Meanings of the spec's well-known error codes. */
export const WELL_KNOWN_CODES: Record<number, string> = {
  1: "incompatible CNI version",
  2: "unsupported field in network configuration",
  3: "container unknown or does not exist",
  4: "invalid environment variables",
  5: "I/O failure",
  6: "failed to decode content",
  7: "invalid network config",
  11: "try again later",
};

/** The result as husk's plugin API reports it: the container-side interfaces only. */
export function toAttachResult(r: CniResult, ifname: string): AttachResult {
  const all = r.interfaces ?? [];
  const inContainer = (i: number | undefined) => (i === undefined ? true : !!all[i]?.sandbox);
  const interfaces: InterfaceResult[] = all.filter((i) => i.sandbox).map((i) => ({ name: i.name, mac: i.mac }));
  // The host end of a veth has no sandbox; a bridge also has none, but appears first.
  const hostSide = all.filter((i) => !i.sandbox);
  if (interfaces.length && hostSide.length) interfaces[0]!.hostName = hostSide[hostSide.length - 1]!.name;
  if (!interfaces.length) interfaces.push({ name: ifname });
  const addresses: AddressResult[] = (r.ips ?? [])
    .filter((ip) => inContainer(ip.interface))
    .map((ip) => ({ interface: ip.interface !== undefined ? all[ip.interface]!.name : ifname, address: ip.address, gateway: ip.gateway }));
  const routes: RouteResult[] = (r.routes ?? []).map((rt) => ({ dst: rt.dst, gateway: rt.gw }));
  const out: AttachResult = { interfaces, addresses, routes };
  if (r.dns && (r.dns.nameservers?.length || r.dns.search?.length || r.dns.options?.length || r.dns.domain)) {
    const search = [...(r.dns.search ?? [])];
    if (!search.length && r.dns.domain) search.push(r.dns.domain);
    out.dns = { nameservers: r.dns.nameservers ?? [], search, options: r.dns.options ?? [] };
  }
  return out;
}
