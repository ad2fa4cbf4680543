// Sizes as docker reads them: a number with an optional b/k/m/g/t/p unit (1024-based),
// "512m", "1g", "100kb".
import { badValue } from "./bad-value.ts";

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

export function parseBytes(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgtp]?)b?$/i.exec(text.trim());
  if (!m) throw badValue(flag, text, "expected a size such as 512m or 1g");
  return Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

export function parseInteger(flag: string, text: string, min = -Infinity): number {
  if (!/^-?\d+$/.test(text.trim())) throw badValue(flag, text, "expected an integer");
  const n = Number(text);
  if (n < min) throw badValue(flag, text, `must be at least ${min}`);
  return n;
}
