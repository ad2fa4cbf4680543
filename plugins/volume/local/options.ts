// The local driver's options, as docker's local driver takes them: `type`, `device`, `o`.
//   type=tmpfs device=tmpfs o=size=64m,uid=1000      a tmpfs, made on first mount
//   type=none  device=/srv/data o=bind[,ro]           a bind of a host dir (or rbind)
//   type=ext4  device=/dev/vdb1 o=noatime             a device's filesystem
// Turned into a mount plan here, without touching the kernel, so it is unit-tested.
import type { MountFlag } from "../../../src/plugin/api.ts";

export type LocalMountPlan =
  | { kind: "none" }
  | { kind: "fs"; fstype: string; options: [string, string | null][]; flags: MountFlag[] }
  | { kind: "bind"; source: string; recursive: boolean; readOnly: boolean };

const KNOWN = ["type", "device", "o"];
const ATTR_FLAGS = new Set<string>(["ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime", "strictatime"]);
/** Options mount(8) knows that mean "the default" and that fsconfig would refuse. */
const DEFAULTS = new Set(["rw", "suid", "dev", "exec", "atime", "diratime", "async", "defaults"]);

/** Checks the options; returns an error message (for host.error) or the plan. */
export function localMountPlan(options: Record<string, string>): LocalMountPlan | { error: string; hint?: string } {
  for (const k of Object.keys(options))
    if (!KNOWN.includes(k)) return { error: `unknown option "${k}"`, hint: "the local driver takes type, device and o" };
  const { type, device, o = "" } = options;
  if (type === undefined && device === undefined) {
    if (o) return { error: `option o="${o}" needs type and device`, hint: "e.g. --opt type=tmpfs --opt device=tmpfs --opt o=size=64m" };
    return { kind: "none" };
  }
  if (!type) return { error: "option device needs a type", hint: "type=tmpfs, type=none with o=bind, or a filesystem type such as ext4" };
  if (!device) return { error: `option type=${type} needs a device`, hint: type === "tmpfs" ? "use device=tmpfs" : "the device or host dir to mount" };
  if (!/^[a-z0-9_.]+$/.test(type)) return { error: `type "${type}" is not a filesystem type` };
  const parts = o.split(",").filter(Boolean);
  if (parts.includes("bind") || parts.includes("rbind")) {
    if (!device.startsWith("/")) return { error: `device "${device}" of a bind must be an absolute host path` };
    for (const p of parts)
      if (!["bind", "rbind", "ro", "rw"].includes(p)) return { error: `option o: "${p}" cannot be used with bind`, hint: "a bind takes ro or rw" };
    return { kind: "bind", source: device, recursive: parts.includes("rbind"), readOnly: parts.includes("ro") };
  }
  const fsOptions: [string, string | null][] = [["source", device]];
  const flags: MountFlag[] = [];
  for (const p of parts) {
    const eq = p.indexOf("=");
    if (eq === 0) return { error: `option o: "${p}" has no key` };
    if (eq < 0 && ATTR_FLAGS.has(p)) flags.push(p as MountFlag);
    else if (eq < 0 && DEFAULTS.has(p)) continue;
    else fsOptions.push(eq < 0 ? [p, null] : [p.slice(0, eq), p.slice(eq + 1)]);
  }
  return { kind: "fs", fstype: type, options: fsOptions, flags };
}
