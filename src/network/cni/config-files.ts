// Loading CNI network configurations from a directory the way libcni does: files ending
// in .conflist, .conf or .json, in sorted order; a list (.conflist) of the wanted name wins
// over a single-plugin file (.conf/.json) of the same name, which is wrapped into a list.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import type { NetConfList, PluginConf } from "./types.ts";

export const DEFAULT_CONF_DIR = "/etc/cni/net.d";
export const DEFAULT_BIN_DIRS = ["/opt/cni/bin", "/usr/lib/cni"];

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class CniConfigError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "CniConfigError";
  }
}

/** Config files in `dir` with one of `exts`, sorted by name (libcni sorts the same way). */
export function confFiles(dir: string, exts: string[]): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return [];
    throw e;
  }
  return names
    .filter((n) => exts.includes(extname(n)))
    .map((n) => join(dir, n))
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function checkPlugin(p: unknown, where: string): PluginConf {
  if (!isObject(p)) throw new CniConfigError(`${where}: a plugin entry must be an object`);
  if (typeof p.type !== "string" || !p.type || p.type.includes("/")) throw new CniConfigError(`${where}: "type" must name a plugin executable`);
  if (p.capabilities !== undefined && !isObject(p.capabilities)) throw new CniConfigError(`${where}: "capabilities" must be an object`);
  return p as PluginConf;
}

/** Parses a .conflist's text; throws CniConfigError naming the file and the field. */
export function parseConfList(text: string, source: string): NetConfList {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CniConfigError(`${source}: not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(raw)) throw new CniConfigError(`${source}: must be a JSON object`);
  if (typeof raw.name !== "string" || !NAME_RE.test(raw.name)) throw new CniConfigError(`${source}: "name" must be a network name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)`);
  if (typeof raw.cniVersion !== "string" || !raw.cniVersion) throw new CniConfigError(`${source}: "cniVersion" is missing`);
  if (!Array.isArray(raw.plugins) || raw.plugins.length === 0) throw new CniConfigError(`${source}: "plugins" must be a non-empty list`);
  const disableCheck = raw.disableCheck === true || raw.disableCheck === "true";
  const plugins = raw.plugins.map((p, i) => checkPlugin(p, `${source}: plugins[${i}]`));
  return { ...raw, cniVersion: raw.cniVersion, name: raw.name, disableCheck, plugins, source } as NetConfList;
}

/** Parses a single-plugin .conf/.json and wraps it into a list, as libcni does. */
export function parseSingleConf(text: string, source: string): NetConfList {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CniConfigError(`${source}: not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(raw)) throw new CniConfigError(`${source}: must be a JSON object`);
  if (Array.isArray(raw.plugins)) return parseConfList(text, source); // a list saved as .conf
  if (typeof raw.name !== "string" || !NAME_RE.test(raw.name)) throw new CniConfigError(`${source}: "name" must be a network name`);
  const plugin = checkPlugin(raw, source);
  return { cniVersion: typeof raw.cniVersion === "string" && raw.cniVersion ? raw.cniVersion : "0.1.0", name: raw.name, plugins: [plugin], source };
}

export interface FoundConfigs {
  lists: NetConfList[];
  /** files that could not be read or parsed; they do not stop the others */
  broken: { file: string; error: string }[];
}

/** Every network in `dir`: lists first (sorted), then single confs (sorted). */
export function loadConfigs(dir: string): FoundConfigs {
  const out: FoundConfigs = { lists: [], broken: [] };
  const read = (file: string, parse: (t: string, s: string) => NetConfList) => {
    try {
      out.lists.push(parse(readFileSync(file, "utf8"), file));
    } catch (e) {
      out.broken.push({ file, error: (e as Error).message });
    }
  };
  for (const f of confFiles(dir, [".conflist"])) read(f, parseConfList);
  for (const f of confFiles(dir, [".conf", ".json"])) read(f, parseSingleConf);
  return out;
}

/** The network called `name` in `dir`: the first list of that name, else the first single conf. */
export function loadNetwork(dir: string, name: string): NetConfList {
  const found = loadConfigs(dir);
  const hit = found.lists.find((l) => l.name === name);
  if (hit) return hit;
  const also = found.broken.length ? `; unreadable: ${found.broken.map((b) => b.error).join("; ")}` : "";
  const names = found.lists.map((l) => l.name);
  throw new CniConfigError(
    `no CNI network "${name}" in ${dir}${names.length ? ` (found: ${names.join(", ")})` : ""}${also}`,
    `write ${join(dir, `${name}.conflist`)} or pass -o com.husk.cni.conf-dir=DIR`,
  );
}
