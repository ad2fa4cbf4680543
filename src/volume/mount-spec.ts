// docker's three mount syntaxes into its HostConfig.Mounts form (MountSpec):
//   -v SRC:DST[:OPTS] | -v DST            (SRC absolute: a bind; a name: a volume; none: anonymous)
//   --mount type=bind|volume|tmpfs,...    (CSV fields, docker's names)
//   --tmpfs DST[:OPTS]                    (OPTS as mount(8) spells tmpfs options)
// Every bad value is one line naming the flag, the value and what was expected (exit 125).
// SELinux labels (:z, :Z) are accepted and ignored: husk sets no SELinux contexts.
import { isAbsolute, normalize } from "node:path";
import type { MountSpec } from "../engine/docker-types.ts";
import { badValue } from "../engine/flags/bad-value.ts";
import { parseBytes } from "../engine/flags/sizes.ts";
import { checkVolumeName } from "./names.ts";

export const PROPAGATIONS = ["shared", "rshared", "slave", "rslave", "private", "rprivate"] as const;
const PROPAGATION_SET = new Set<string>(PROPAGATIONS);
/** docker for Mac's consistency hints and SELinux relabel flags: meaningless here. */
const IGNORED_MODES = new Set(["z", "Z", "cached", "delegated", "consistent"]);

function target(flag: string, spec: string, path: string | undefined): string {
  if (!path) throw badValue(flag, spec, "a container path is required");
  if (!isAbsolute(path)) throw badValue(flag, spec, "the container path must be absolute");
  if (normalize(path) === "/") throw badValue(flag, spec, "cannot mount over the container's /");
  return normalize(path).replace(/\/$/, "");
}

function volumeName(flag: string, spec: string, name: string): void {
  const why = checkVolumeName(name);
  if (why) throw badValue(flag, spec, why, name.includes("/") ? "a bind mount source must be an absolute host path" : undefined);
}

/** -v SRC:DST[:OPTS] | -v DST */
export function parseVolume(spec: string): MountSpec {
  const parts = spec.split(":");
  if (parts.length === 1) return { Type: "volume", Source: "", Target: target("--volume", spec, parts[0]), ReadOnly: false, Options: [] };
  if (parts.length > 3) throw badValue("--volume", spec, "expected SOURCE:TARGET[:OPTIONS]");
  const [src = "", dst, opts = ""] = parts;
  if (!src) throw badValue("--volume", spec, "the source is empty", "give a volume name or an absolute host path");
  const bind = isAbsolute(src);
  if (!bind) volumeName("--volume", spec, src);
  const m: MountSpec = { Type: bind ? "bind" : "volume", Source: bind ? normalize(src) : src, Target: target("--volume", spec, dst), ReadOnly: false, Options: [] };
  let access: string | undefined;
  let propagation: string | undefined;
  if (parts.length === 3 && !opts) throw badValue("--volume", spec, "empty options after the last ':'");
  for (const o of opts ? opts.split(",") : []) {
    if (!o) throw badValue("--volume", spec, "an empty option");
    if (o === "ro" || o === "rw") {
      if (access && access !== o) throw badValue("--volume", spec, "ro and rw conflict");
      access = o;
      m.ReadOnly = o === "ro";
    } else if (PROPAGATION_SET.has(o)) {
      if (!bind) throw badValue("--volume", spec, `propagation "${o}" applies to bind mounts only`);
      if (propagation && propagation !== o) throw badValue("--volume", spec, `two propagation modes (${propagation}, ${o})`);
      if (!propagation) m.Options.push(o);
      propagation = o;
    } else if (o === "nocopy") {
      if (bind) throw badValue("--volume", spec, "nocopy applies to volumes only");
      m.VolumeOptions = { ...m.VolumeOptions, NoCopy: true };
    } else if (!IGNORED_MODES.has(o)) {
      throw badValue("--volume", spec, `unknown option "${o}" (ro, rw, z, Z, nocopy, ${PROPAGATIONS.join(", ")})`);
    }
  }
  return m;
}

/** Fields of a --mount value: comma separated, a field may be double-quoted (CSV) so that
 * a volume-opt value can hold commas: "volume-opt=o=size=1m,uid=1000". */
export function splitCsv(flag: string, spec: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c === '"') {
      if (quoted && spec[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === "," && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (quoted) throw badValue(flag, spec, "an unclosed double quote");
  out.push(cur);
  return out;
}

const BOOL: Record<string, boolean> = { true: true, "1": true, false: false, "0": false };

function bool(spec: string, key: string, value: string): boolean {
  const b = BOOL[value.toLowerCase()];
  if (b === undefined) throw badValue("--mount", spec, `${key} takes true or false, not "${value}"`);
  return b;
}

function keyValue(spec: string, key: string, value: string): [string, string] {
  const eq = value.indexOf("=");
  if (eq <= 0) throw badValue("--mount", spec, `${key} takes KEY=VALUE, not "${value}"`);
  return [value.slice(0, eq), value.slice(eq + 1)];
}

const FIELD_TYPE: Record<string, "bind" | "volume" | "tmpfs" | "any"> = {
  type: "any", source: "any", src: "any", target: "any", destination: "any", dst: "any", readonly: "any", ro: "any", consistency: "any",
  "bind-propagation": "bind",
  "volume-driver": "volume", "volume-opt": "volume", "volume-label": "volume", "volume-nocopy": "volume",
  "tmpfs-size": "tmpfs", "tmpfs-mode": "tmpfs",
};

/** --mount type=bind|volume|tmpfs,source=..,target=..[,readonly][,...] */
export function parseMountFlag(spec: string): MountSpec {
  const fields: [string, string | undefined][] = [];
  for (const field of splitCsv("--mount", spec)) {
    if (!field) continue;
    const eq = field.indexOf("=");
    fields.push(eq < 0 ? [field.toLowerCase(), undefined] : [field.slice(0, eq).toLowerCase(), field.slice(eq + 1)]);
  }
  const typeField = fields.find(([k]) => k === "type");
  const type = typeField ? typeField[1] : "volume";
  if (type !== "bind" && type !== "volume" && type !== "tmpfs") throw badValue("--mount", spec, "type must be bind, volume or tmpfs");
  let src = "";
  let dst: string | undefined;
  let readOnly = false;
  let propagation: string | undefined;
  let driver: string | undefined;
  const driverOpts: Record<string, string> = {};
  const labels: Record<string, string> = {};
  let noCopy = false;
  const tmpfsOpts: string[] = [];
  const seen = new Set<string>();
  for (const [key, value] of fields) {
    const scope = FIELD_TYPE[key];
    if (!scope) throw badValue("--mount", spec, `unknown field "${key}"`);
    if (scope !== "any" && scope !== type) throw badValue("--mount", spec, `${key} applies to type=${scope} only`);
    const repeatable = key === "volume-opt" || key === "volume-label";
    if (seen.has(key) && !repeatable) throw badValue("--mount", spec, `${key} is given twice`);
    seen.add(key);
    const needValue = () => {
      if (value === undefined || value === "") throw badValue("--mount", spec, `${key} needs a value`);
      return value;
    };
    switch (key) {
      case "type":
      case "consistency":
        break;
      case "source":
      case "src":
        src = needValue();
        break;
      case "target":
      case "destination":
      case "dst":
        dst = needValue();
        break;
      case "readonly":
      case "ro":
        readOnly = value === undefined ? true : bool(spec, key, value);
        break;
      case "bind-propagation":
        propagation = needValue();
        if (!PROPAGATION_SET.has(propagation)) throw badValue("--mount", spec, `bind-propagation is one of ${PROPAGATIONS.join(", ")}`);
        break;
      case "volume-driver":
        driver = needValue();
        break;
      case "volume-opt": {
        const [k, v] = keyValue(spec, key, needValue());
        driverOpts[k] = v;
        break;
      }
      case "volume-label": {
        const [k, v] = keyValue(spec, key, needValue());
        labels[k] = v;
        break;
      }
      case "volume-nocopy":
        noCopy = value === undefined ? true : bool(spec, key, value);
        break;
      case "tmpfs-size":
        tmpfsOpts.push(`size=${parseBytes("--mount tmpfs-size", needValue())}`);
        break;
      case "tmpfs-mode":
        if (!/^[0-7]{1,4}$/.test(needValue())) throw badValue("--mount", spec, "tmpfs-mode is an octal mode such as 1777");
        tmpfsOpts.push(`mode=${value}`);
        break;
    }
  }
  const m: MountSpec = { Type: type, Source: src, Target: target("--mount", spec, dst), ReadOnly: readOnly, Options: [] };
  if (type === "bind") {
    if (!src) throw badValue("--mount", spec, "a bind mount needs a source");
    if (!isAbsolute(src)) throw badValue("--mount", spec, "a bind mount needs an absolute source");
    m.Source = normalize(src);
    if (propagation) m.Options.push(propagation);
  } else if (type === "volume") {
    if (src) volumeName("--mount", spec, src);
    if (driver !== undefined || Object.keys(driverOpts).length || Object.keys(labels).length || noCopy)
      m.VolumeOptions = {
        ...(noCopy ? { NoCopy: true } : {}),
        ...(Object.keys(labels).length ? { Labels: labels } : {}),
        ...(driver !== undefined || Object.keys(driverOpts).length ? { DriverConfig: { Name: driver ?? "local", Options: driverOpts } } : {}),
      };
  } else {
    if (src) throw badValue("--mount", spec, "a tmpfs mount takes no source");
    m.Options.push(...tmpfsOpts);
  }
  return m;
}

const TMPFS_FLAGS = new Set(["rw", "ro", "nosuid", "suid", "nodev", "dev", "noexec", "exec", "atime", "noatime", "relatime", "norelatime", "strictatime", "nodiratime", "diratime", "sync", "async", "dirsync", "mand", "nomand", "tmpcopyup"]);

/** --tmpfs DST[:OPTS] -> [DST, OPTS]. OPTS are checked one by one, as mount(8) spells them. */
export function parseTmpfs(spec: string): [string, string] {
  const colon = spec.indexOf(":");
  const dst = target("--tmpfs", spec, colon < 0 ? spec : spec.slice(0, colon));
  const opts = colon < 0 ? "" : spec.slice(colon + 1);
  for (const o of opts.split(",").filter(Boolean)) {
    const eq = o.indexOf("=");
    const [k, v] = eq < 0 ? [o, undefined] : [o.slice(0, eq), o.slice(eq + 1)];
    if (v === undefined) {
      if (!TMPFS_FLAGS.has(k)) throw badValue("--tmpfs", spec, `unknown tmpfs option "${o}"`);
      continue;
    }
    if (k === "size" && !/^\d+[kmgtpe%]?$/i.test(v)) throw badValue("--tmpfs", spec, `size "${v}" is not a size such as 64m, 1g or 50%`);
    else if (k === "mode" && !/^[0-7]{1,4}$/.test(v)) throw badValue("--tmpfs", spec, `mode "${v}" is not an octal mode such as 1777`);
    else if ((k === "uid" || k === "gid") && !/^\d+$/.test(v)) throw badValue("--tmpfs", spec, `${k} "${v}" is not a number`);
    else if ((k === "nr_inodes" || k === "nr_blocks") && !/^\d+[kmg]?$/i.test(v)) throw badValue("--tmpfs", spec, `${k} "${v}" is not a count such as 4k`);
    else if (!["size", "mode", "uid", "gid", "nr_inodes", "nr_blocks"].includes(k)) throw badValue("--tmpfs", spec, `unknown tmpfs option "${k}"`);
  }
  return [dst, opts];
}
