// Sizes for `system df` and the prune commands: bytes of regular files under a dir
// (links not followed, a hard-linked inode counted once), read from disk each time.
import { lstatSync, readdirSync } from "node:fs";

export function dirSize(path: string, seen = new Set<string>()): number {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return 0;
  }
  if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return 0;
    seen.add(key);
    return st.size;
  }
  if (!st.isDirectory()) return 0;
  let sum = 0;
  let names: string[] = [];
  try {
    names = readdirSync(path);
  } catch {}
  for (const n of names) sum += dirSize(`${path}/${n}`, seen);
  return sum;
}

/** docker's HumanSizeWithPrecision(…, 3): "1.23MB", "0B". */
export function dfSize(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(3))}${units[i]}`;
}

/** "12.3MB (45%)", the RECLAIMABLE column. */
export function reclaimable(bytes: number, total: number): string {
  return `${dfSize(bytes)} (${total ? Math.round((bytes / total) * 100) : 0}%)`;
}
