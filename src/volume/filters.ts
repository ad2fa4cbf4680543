// `husk volume ls --filter` and `prune --filter`, docker's keys: name (substring), driver,
// label (KEY or KEY=VALUE), label! (prune: not carrying the label), dangling (true: no
// container uses it). Several values of one key match any of them; different keys must all match.
import { HuskError } from "../runtime/errors.ts";
import type { VolumeRecord } from "./catalog.ts";

export type VolumeFilters = Map<string, string[]>;
const KEYS = ["name", "driver", "label", "label!", "dangling"];

export function parseVolumeFilters(items: string[], allowed: string[] = KEYS): VolumeFilters {
  const out: VolumeFilters = new Map();
  for (const it of items) {
    const eq = it.indexOf("=");
    if (eq <= 0) throw new HuskError(`invalid filter "${it}": expected KEY=VALUE`, `keys: ${allowed.join(", ")}`, 125);
    const key = it.slice(0, eq);
    const value = it.slice(eq + 1);
    if (!allowed.includes(key)) throw new HuskError(`invalid filter "${it}": unknown key "${key}"`, `keys: ${allowed.join(", ")}`, 125);
    if (key === "dangling" && !["true", "false", "1", "0"].includes(value))
      throw new HuskError(`invalid filter "${it}": dangling takes true or false`, undefined, 125);
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf("=");
  if (eq < 0) return want in labels;
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

export function matchesFilters(v: VolumeRecord, filters: VolumeFilters, inUse: (name: string) => boolean): boolean {
  for (const [key, values] of filters) {
    const ok = values.some((val) => {
      switch (key) {
        case "name":
          return v.name.includes(val);
        case "driver":
          return v.driver === val;
        case "label":
          return labelMatches(v.labels, val);
        case "label!":
          return !labelMatches(v.labels, val);
        case "dangling":
          return (val === "true" || val === "1") === !inUse(v.name);
        default:
          return false;
      }
    });
    if (!ok) return false;
  }
  return true;
}
