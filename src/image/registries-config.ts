// Registry configuration: mirrors per registry and the registries spoken to over plain
// http. Read from $HUSK_REGISTRIES_CONF or /etc/husk/registries.json, then extended by the
// command's --registry-mirror and --insecure-registry flags.
//
//   { "mirrors": { "docker.io": ["mirror.lan:5000"], "127.0.0.1:5000": ["127.0.0.1:5001"] },
//     "insecure": ["registry.lan:5000"] }
//
// docker's daemon.json spellings are accepted too: "registry-mirrors" (Docker Hub's mirrors,
// as URLs or hosts) and "insecure-registries".
import { existsSync, readFileSync } from "node:fs";
import { HuskError } from "../runtime/errors.ts";
import { DEFAULT_REGISTRY } from "./reference.ts";

export const DEFAULT_REGISTRIES_CONF = "/etc/husk/registries.json";

export interface RegistriesConfig {
  /** registry -> mirror hosts, tried in order before the registry itself (pulls only). */
  mirrors: Record<string, string[]>;
  insecure: string[];
}

const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/;

/** `https://mirror:5000/` or `mirror:5000` -> `mirror:5000`; anything else is refused with `where`. */
function hostOf(text: unknown, where: string): string {
  if (typeof text !== "string") throw new HuskError(`${where}: expected a string, got ${JSON.stringify(text)}`);
  const host = text.trim().replace(/^https?:\/\//i, "").replace(/\/+$/, "");
  if (!HOST.test(host)) throw new HuskError(`${where}: "${text}" is not a registry host[:port]`, "mirrors and insecure registries are host[:port], without a path");
  return host === "index.docker.io" || host === "registry-1.docker.io" ? DEFAULT_REGISTRY : host;
}

function hostList(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new HuskError(`${where}: expected a list of hosts`);
  return value.map((v, i) => hostOf(v, `${where}[${i}]`));
}

export function parseRegistriesConfig(text: string, file: string): RegistriesConfig {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new HuskError(`${file}: not valid JSON (${(e as Error).message})`, "fix the registries configuration file");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new HuskError(`${file}: expected a JSON object`);
  const out: RegistriesConfig = { mirrors: {}, insecure: [] };
  if (body.mirrors !== undefined) {
    if (!body.mirrors || typeof body.mirrors !== "object" || Array.isArray(body.mirrors)) throw new HuskError(`${file}: mirrors: expected an object of registry -> [hosts]`);
    for (const [reg, list] of Object.entries(body.mirrors as Record<string, unknown>)) {
      out.mirrors[hostOf(reg, `${file}: mirrors`)] = hostList(list, `${file}: mirrors.${reg}`);
    }
  }
  if (body["registry-mirrors"] !== undefined) {
    out.mirrors[DEFAULT_REGISTRY] = [...(out.mirrors[DEFAULT_REGISTRY] ?? []), ...hostList(body["registry-mirrors"], `${file}: registry-mirrors`)];
  }
  if (body.insecure !== undefined) out.insecure.push(...hostList(body.insecure, `${file}: insecure`));
  if (body["insecure-registries"] !== undefined) out.insecure.push(...hostList(body["insecure-registries"], `${file}: insecure-registries`));
  return out;
}

/** The configuration file's content; no file is an empty configuration. */
export function loadRegistriesConfig(env: Record<string, string | undefined> = process.env): RegistriesConfig {
  const file = env.HUSK_REGISTRIES_CONF || DEFAULT_REGISTRIES_CONF;
  if (!existsSync(file)) {
    // A file named explicitly must exist; the default one is optional.
    if (env.HUSK_REGISTRIES_CONF) throw new HuskError(`HUSK_REGISTRIES_CONF=${file}: no such file: ENOENT`, "create it or unset HUSK_REGISTRIES_CONF");
    return { mirrors: {}, insecure: [] };
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new HuskError(`${file}: cannot read: ${err.code ?? err.message}`, "check its permissions");
  }
  return parseRegistriesConfig(text, file);
}

/**
 * `--registry-mirror` values: `mirror:5000` mirrors Docker Hub (docker's meaning), and
 * `registry=mirror` mirrors that registry.
 */
export function parseMirrorFlag(text: string): { registry: string; mirror: string } {
  const eq = text.indexOf("=");
  if (eq < 0) return { registry: DEFAULT_REGISTRY, mirror: hostOf(text, "--registry-mirror") };
  return { registry: hostOf(text.slice(0, eq), "--registry-mirror"), mirror: hostOf(text.slice(eq + 1), "--registry-mirror") };
}

/** The file's configuration with a command's flags added: flag mirrors are tried first. */
export function registriesConfig(flags: { mirrors?: string[]; insecure?: string[] }, env: Record<string, string | undefined> = process.env): RegistriesConfig {
  const conf = loadRegistriesConfig(env);
  const fromFlags: Record<string, string[]> = {};
  for (const m of flags.mirrors ?? []) {
    const { registry, mirror } = parseMirrorFlag(m);
    (fromFlags[registry] ??= []).push(mirror);
  }
  for (const [reg, list] of Object.entries(fromFlags)) conf.mirrors[reg] = [...list, ...(conf.mirrors[reg] ?? [])];
  conf.insecure.push(...(flags.insecure ?? []).map((h) => hostOf(h, "--insecure-registry")));
  return conf;
}

/** Where a pull from `registry` goes: its mirrors in order (no duplicates), then the registry. */
export function pullEndpoints(conf: RegistriesConfig, registry: string): string[] {
  const out: string[] = [];
  for (const m of [...(conf.mirrors[registry] ?? []), registry]) if (!out.includes(m)) out.push(m);
  return out;
}
