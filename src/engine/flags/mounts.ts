// -v/--volume, --mount and --tmpfs into docker's MountSpec. A source that starts with "/"
// is a bind mount; anything else is a named volume; a lone container path is an
// anonymous volume (its name is filled in at create time).
import { isAbsolute, normalize } from "node:path";
import type { MountSpec } from "../docker-types.ts";
import { badValue } from "./bad-value.ts";
import { parseBytes } from "./sizes.ts";

const PROPAGATIONS = new Set(["shared", "rshared", "slave", "rslave", "private", "rprivate"]);
const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function target(flag: string, spec: string, path: string | undefined): string {
  if (!path || !isAbsolute(path)) throw badValue(flag, spec, "the container path must be absolute");
  if (normalize(path) === "/") throw badValue(flag, spec, "cannot mount over the container's /");
  return normalize(path);
}

function checkVolumeName(flag: string, spec: string, name: string): void {
  if (!VOLUME_NAME_RE.test(name)) throw badValue(flag, spec, "a volume name has at least 2 characters: letters, digits, '_', '.', '-'");
}

/** -v SRC:DST[:OPTS] | -v DST */
export function parseVolume(spec: string): MountSpec {
  const parts = spec.split(":");
  if (parts.length === 1) return { Type: "volume", Source: "", Target: target("--volume", spec, parts[0]), ReadOnly: false, Options: [] };
  if (parts.length > 3) throw badValue("--volume", spec, "expected SOURCE:TARGET[:OPTIONS]");
  const [src = "", dst, opts = ""] = parts;
  const m: MountSpec = { Type: isAbsolute(src) ? "bind" : "volume", Source: isAbsolute(src) ? normalize(src) : src, Target: target("--volume", spec, dst), ReadOnly: false, Options: [] };
  if (m.Type === "volume") checkVolumeName("--volume", spec, src);
  for (const o of opts.split(",").filter(Boolean)) {
    if (o === "ro" || o === "readonly") m.ReadOnly = true;
    else if (o === "rw") m.ReadOnly = false;
    else if (PROPAGATIONS.has(o) && m.Type === "bind") m.Options.push(o);
    else if (o === "z" || o === "Z" || o === "nocopy" || o === "delegated" || o === "cached" || o === "consistent") continue; // no SELinux / copy-up here
    else throw badValue("--volume", spec, `unknown option "${o}" (ro, rw, shared, rshared, slave, rslave, private, rprivate)`);
  }
  return m;
}

/** --mount type=bind|volume|tmpfs,source=..,target=..,readonly,... */
export function parseMountFlag(spec: string): MountSpec {
  const kv = new Map<string, string>();
  for (const field of spec.split(",")) {
    if (!field) continue;
    const eq = field.indexOf("=");
    kv.set((eq < 0 ? field : field.slice(0, eq)).toLowerCase(), eq < 0 ? "true" : field.slice(eq + 1));
  }
  const type = kv.get("type") ?? "volume";
  if (type !== "bind" && type !== "volume" && type !== "tmpfs") throw badValue("--mount", spec, "type must be bind, volume or tmpfs");
  const dst = kv.get("target") ?? kv.get("destination") ?? kv.get("dst");
  const src = kv.get("source") ?? kv.get("src") ?? "";
  const ro = kv.get("readonly") ?? kv.get("ro") ?? "false";
  if (!["true", "false", "1", "0"].includes(ro)) throw badValue("--mount", spec, "readonly takes true or false");
  const m: MountSpec = { Type: type, Source: src, Target: target("--mount", spec, dst), ReadOnly: ro === "true" || ro === "1", Options: [] };
  for (const key of kv.keys())
    if (!["type", "target", "destination", "dst", "source", "src", "readonly", "ro", "bind-propagation", "tmpfs-size", "tmpfs-mode", "volume-nocopy", "consistency"].includes(key))
      throw badValue("--mount", spec, `unknown field "${key}"`);
  if (type === "bind") {
    if (!isAbsolute(src)) throw badValue("--mount", spec, "a bind mount needs an absolute source");
    m.Source = normalize(src);
    const prop = kv.get("bind-propagation");
    if (prop) {
      if (!PROPAGATIONS.has(prop)) throw badValue("--mount", spec, "bind-propagation is one of shared, rshared, slave, rslave, private, rprivate");
      m.Options.push(prop);
    }
  } else if (type === "volume") {
    if (src) checkVolumeName("--mount", spec, src);
  } else {
    if (src) throw badValue("--mount", spec, "a tmpfs mount takes no source");
    const size = kv.get("tmpfs-size");
    if (size) m.Options.push(`size=${parseBytes("--mount tmpfs-size", size)}`);
    const mode = kv.get("tmpfs-mode");
    if (mode) {
      if (!/^[0-7]{1,4}$/.test(mode)) throw badValue("--mount", spec, "tmpfs-mode is an octal mode such as 1777");
      m.Options.push(`mode=${mode}`);
    }
  }
  return m;
}

const TMPFS_OPTS = /^(rw|ro|nosuid|suid|nodev|dev|noexec|exec|size=\d+[kmg%]?|mode=[0-7]{1,4}|uid=\d+|gid=\d+|nr_inodes=\d+[kmg]?)$/;

/** --tmpfs DST[:OPTS] (OPTS as mount(8) writes them). */
export function parseTmpfs(spec: string): [string, string] {
  const colon = spec.indexOf(":");
  const dst = target("--tmpfs", spec, colon < 0 ? spec : spec.slice(0, colon));
  const opts = colon < 0 ? "" : spec.slice(colon + 1);
  for (const o of opts.split(",").filter(Boolean)) if (!TMPFS_OPTS.test(o)) throw badValue("--tmpfs", spec, `unknown tmpfs option "${o}"`);
  return [dst, opts];
}
