// Resource flags: --memory, --memory-swap, --cpus, --cpu-shares, --cpuset-cpus,
// --pids-limit, --ulimit, --device.
import { RLIMITS } from "../../oci/spec.ts";
import type { DeviceMapping, Ulimit } from "../docker-types.ts";
import { badValue } from "./bad-value.ts";
import { parseBytes, parseInteger } from "./sizes.ts";

/** docker: the smallest memory limit it allows is 6 MB. */
export const MIN_MEMORY = 6 * 1024 * 1024;

export function parseMemory(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = parseBytes("--memory", text);
  if (n < MIN_MEMORY) throw badValue("--memory", text, "the minimum is 6m");
  return n;
}

/** --memory-swap: -1 is unlimited swap; otherwise memory+swap, at least --memory. */
export function parseMemorySwap(text: string | undefined, memory: number): number {
  if (text === undefined) return 0;
  if (text.trim() === "-1") return -1;
  const n = parseBytes("--memory-swap", text);
  if (!memory) throw badValue("--memory-swap", text, "needs --memory as well");
  if (n < memory) throw badValue("--memory-swap", text, "must be at least --memory (it counts memory plus swap)");
  return n;
}

/** --cpus 1.5 -> 1.5e9 nano cpus. */
export function parseCpus(text: string | undefined, hostCpus: number): number {
  if (text === undefined) return 0;
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) throw badValue("--cpus", text, "expected a positive number such as 0.5 or 2");
  if (Number(text) > hostCpus) throw badValue("--cpus", text, `this host has ${hostCpus} cpus`);
  return Math.round(Number(text) * 1e9);
}

export function parseCpuShares(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = parseInteger("--cpu-shares", text, 0);
  if (n !== 0 && (n < 2 || n > 262144)) throw badValue("--cpu-shares", text, "must be between 2 and 262144");
  return n;
}

/** --cpuset-cpus 0-2,4 : each cpu must exist on this host. */
export function parseCpuset(text: string | undefined, hostCpus: number): string {
  if (text === undefined) return "";
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) throw badValue("--cpuset-cpus", text, "expected a list such as 0-2,4");
  for (const part of text.split(",")) {
    const [a, b = a] = part.split("-").map(Number) as [number, number?];
    if (b! < a || b! >= hostCpus) throw badValue("--cpuset-cpus", text, `cpus 0-${hostCpus - 1} exist on this host`);
  }
  return text;
}

export function parsePidsLimit(text: string | undefined): number {
  if (text === undefined) return 0;
  return parseInteger("--pids-limit", text, -1);
}

/** --ulimit nofile=1024[:2048] */
export function parseUlimit(text: string): Ulimit {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(text);
  if (!m) throw badValue("--ulimit", text, "expected NAME=SOFT[:HARD] such as nofile=1024:2048");
  const name = m[1]!;
  if (!(`RLIMIT_${name.toUpperCase()}` in RLIMITS)) throw badValue("--ulimit", text, `unknown limit "${name}"`);
  const soft = Number(m[2]);
  const hard = m[3] === undefined ? soft : Number(m[3]);
  if (soft > hard && hard !== -1) throw badValue("--ulimit", text, "the soft limit is above the hard limit");
  return { Name: name, Soft: soft, Hard: hard };
}

/** --device /dev/x[:/dev/y][:rwm] */
export function parseDevice(text: string): DeviceMapping {
  const parts = text.split(":");
  const host = parts[0] ?? "";
  if (!host.startsWith("/")) throw badValue("--device", text, "expected HOST[:CONTAINER][:PERMISSIONS] with absolute paths");
  let inside = host;
  let perms = "rwm";
  if (parts.length === 2) {
    if (/^[rwm]+$/.test(parts[1]!)) perms = parts[1]!;
    else inside = parts[1]!;
  } else if (parts.length === 3) {
    inside = parts[1]!;
    perms = parts[2]!;
  } else if (parts.length > 3) throw badValue("--device", text, "too many ':'");
  if (!inside.startsWith("/")) throw badValue("--device", text, "the container path must be absolute");
  if (!/^[rwm]{1,3}$/.test(perms)) throw badValue("--device", text, "permissions are a mix of r, w and m");
  return { PathOnHost: host, PathInContainer: inside, CgroupPermissions: perms };
}
