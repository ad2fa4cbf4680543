// docker's time flags (--since, --until, --filter until=): an RFC 3339 time, a Unix time
// (with fractions), or a duration meaning that long before now (10m, 1h30m, 45s).
import { HuskError } from "../runtime/errors.ts";

export function parseTimeFlag(flag: string, text: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const d = /^((\d+)h)?((\d+)m)?((\d+)s)?$/.exec(text);
  if (d && text) return now - ((Number(d[2] ?? 0) * 60 + Number(d[4] ?? 0)) * 60 + Number(d[6] ?? 0)) * 1000;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new HuskError(`invalid value "${text}" for ${flag}`, "use a time (2024-01-02T15:04:05Z), a Unix time or a duration (10m)", 125);
  return t;
}
