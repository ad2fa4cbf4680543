// `husk events`: filters (docker's keys), docker's line and JSON shapes, and templates.
// Pure, over the lines of events.jsonl (src/engine/events.ts and the monitor write them).
import { parseFilterArgs } from "./filter-args.ts";
import type { EngineEvent } from "./events.ts";
import { renderGoTemplate } from "./go-template.ts";

const FILTER_KEYS = ["container", "event", "type", "image", "label"] as const;

export function parseEventFilters(items: string[]): [string, string][] {
  return parseFilterArgs(items, FILTER_KEYS);
}

function matchOne(ev: EngineEvent, [key, value]: [string, string]): boolean {
  switch (key) {
    case "container":
      return ev.id === value || ev.attributes.name === value || (value.length >= 3 && ev.id.startsWith(value));
    case "event":
      return ev.action === value;
    case "type":
      return ev.type === value;
    case "image":
      return ev.attributes.image === value;
    case "label": {
      const eq = value.indexOf("=");
      return eq < 0 ? value in ev.attributes : ev.attributes[value.slice(0, eq)] === value.slice(eq + 1);
    }
  }
  return false;
}

/** docker: values of one key are OR-ed, different keys AND-ed. */
export function eventMatches(ev: EngineEvent, filters: [string, string][]): boolean {
  const byKey = new Map<string, [string, string][]>();
  for (const f of filters) byKey.set(f[0], [...(byKey.get(f[0]) ?? []), f]);
  return [...byKey.values()].every((fs) => fs.some((f) => matchOne(ev, f)));
}

/** A line of events.jsonl, or undefined for a torn or foreign one. */
export function parseEventLine(line: string): EngineEvent | undefined {
  try {
    const ev = JSON.parse(line) as EngineEvent;
    return typeof ev.timeNano === "string" && typeof ev.action === "string" && typeof ev.id === "string" ? { ...ev, attributes: ev.attributes ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

export const eventTimeMs = (ev: EngineEvent) => Number(BigInt(ev.timeNano) / 1_000_000n);

/** docker's JSON message (what {{json .}} and --format json print). */
export function dockerEventJson(ev: EngineEvent): Record<string, unknown> {
  const ns = BigInt(ev.timeNano);
  return {
    status: ev.action, id: ev.id, from: ev.attributes.image ?? "", Type: ev.type, Action: ev.action,
    Actor: { ID: ev.id, Attributes: ev.attributes }, scope: "local", time: Number(ns / 1_000_000_000n), timeNano: Number(ns),
  };
}

/** RFC 3339 with nine fraction digits, as docker prints event times. */
export function nanoTime(timeNano: string): string {
  const ns = BigInt(timeNano);
  const iso = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  return `${iso}.${String(ns % 1_000_000_000n).padStart(9, "0")}Z`;
}

/** docker's default line: TIME TYPE ACTION ID (k=v, ... sorted). */
export function eventLine(ev: EngineEvent): string {
  const attrs = Object.entries(ev.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
  return `${nanoTime(ev.timeNano)} ${ev.type} ${ev.action} ${ev.id}${attrs.length ? ` (${attrs.join(", ")})` : ""}`;
}

export function formatEvent(ev: EngineEvent, format: string | undefined): string {
  if (!format) return eventLine(ev);
  if (format === "json") return JSON.stringify(dockerEventJson(ev));
  return renderGoTemplate(format, dockerEventJson(ev));
}
