// Conversions between cgroup v1 and v2 units, with the formulas runc and crun use so
// that a config means the same on either host.

/** cpu.shares (2..262144, default 1024) to cpu.weight (1..10000, default 100). */
export function sharesToWeight(shares: number): number {
  if (shares <= 0) return 0;
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/** blkio.weight (10..1000) to io.weight (1..10000). */
export function blkioToIoWeight(weight: number): number {
  if (weight <= 0) return 0;
  return Math.floor(1 + ((weight - 10) * 9999) / 990);
}

/** OCI memory.swap is memory+swap; v2's memory.swap.max is swap alone. */
export function v2SwapMax(limit: number | undefined, swap: number): string {
  if (swap === -1) return "max";
  if (limit === undefined || limit === -1) throw new Error("memory.swap needs memory.limit on cgroup v2");
  if (swap < limit) throw new Error(`memory.swap (${swap}) must be at least memory.limit (${limit})`);
  return String(swap - limit);
}

export const maxOr = (n: number | undefined): string => (n === undefined || n < 0 ? "max" : String(n));
