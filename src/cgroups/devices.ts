// Device rules for cgroup v2, where they become an eBPF program (built and attached by
// husk-core, core-c/src/cgroup_devices.c) rather than devices.allow/deny writes.
import type { LinuxDeviceCgroup } from "../oci/spec.ts";

export interface DeviceRule {
  allow: boolean;
  type: "a" | "c" | "b";
  /** -1: any */
  major: number;
  minor: number;
  /** mknod 1, read 2, write 4 (BPF_DEVCG_ACC_*) */
  access: number;
}

const ACCESS_BITS: Record<string, number> = { m: 1, r: 2, w: 4 };

export function deviceRule(d: LinuxDeviceCgroup, path: string): DeviceRule {
  const type = d.type ?? "a";
  if (type !== "a" && type !== "c" && type !== "b") throw new Error(`${path}.type: "${type}" is not a, c or b`);
  let access = 0;
  for (const ch of d.access ?? "rwm") {
    const bit = ACCESS_BITS[ch];
    if (bit === undefined) throw new Error(`${path}.access: "${d.access}" may only contain r, w and m`);
    access |= bit;
  }
  const num = (n: number | undefined) => (n === undefined || n < 0 ? -1 : n);
  return { allow: d.allow, type, major: num(d.major), minor: num(d.minor), access };
}
