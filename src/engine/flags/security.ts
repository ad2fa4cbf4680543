// --cap-add/--cap-drop (with ALL), --privileged, --security-opt.
import { CAPABILITY_NAMES } from "../../oci/spec.ts";
import { badValue } from "./bad-value.ts";

/** docker's default capability set for containers. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];

function norm(flag: string, c: string): string {
  const up = c.trim().toUpperCase();
  if (up === "ALL") return "ALL";
  const name = up.startsWith("CAP_") ? up : `CAP_${up}`;
  if (!(CAPABILITY_NAMES as readonly string[]).includes(name)) throw badValue(flag, c, "not a capability this kernel interface knows (see capabilities(7))");
  return name;
}

/** The container's capabilities: defaults (or all when privileged), plus adds, minus drops. */
export function effectiveCapabilities(add: string[], drop: string[], privileged: boolean, lastCap: number): string[] {
  const adds = add.map((c) => norm("--cap-add", c));
  const drops = drop.map((c) => norm("--cap-drop", c));
  const known = (CAPABILITY_NAMES as readonly string[]).filter((_, i) => i <= lastCap || lastCap < 0);
  if (privileged) return [...known];
  let caps = new Set<string>(adds.includes("ALL") ? known : DEFAULT_CAPABILITIES);
  if (drops.includes("ALL")) caps = new Set();
  for (const c of drops) caps.delete(c);
  for (const c of adds) if (c !== "ALL") caps.add(c);
  return [...caps];
}

export interface SecurityOpts {
  seccomp: "default" | "unconfined" | { file: string };
  noNewPrivileges: boolean;
}

export function parseSecurityOpts(items: string[]): SecurityOpts {
  const out: SecurityOpts = { seccomp: "default", noNewPrivileges: false };
  for (const item of items) {
    const sep = item.search(/[=:]/);
    const key = sep < 0 ? item : item.slice(0, sep);
    const value = sep < 0 ? "" : item.slice(sep + 1);
    if (key === "no-new-privileges") {
      if (!["", "true", "false"].includes(value)) throw badValue("--security-opt", item, "no-new-privileges takes true or false");
      out.noNewPrivileges = value !== "false";
    } else if (key === "seccomp") {
      if (!value) throw badValue("--security-opt", item, "expected seccomp=unconfined or seccomp=/path/profile.json");
      out.seccomp = value === "unconfined" ? "unconfined" : { file: value };
    } else if (key === "label" || key === "apparmor") {
      // No SELinux or AppArmor here: accepted and ignored, as docker does on such hosts.
    } else throw badValue("--security-opt", item, "husk knows seccomp=..., no-new-privileges[=true|false]");
  }
  return out;
}
