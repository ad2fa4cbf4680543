// `husk ps`: filters (docker's keys), a table, json lines or a Go-like template.
import { HuskError } from "../runtime/errors.ts";
import { parseFilterArgs } from "./filter-args.ts";
import { statusText } from "./inspect.ts";
import type { LiveState } from "./live-state.ts";
import type { ContainerRecord } from "./record.ts";

export interface PsRow {
  rec: ContainerRecord;
  live: LiveState;
}

const FILTER_KEYS = ["id", "name", "status", "label", "ancestor", "exited"] as const;

export function parseFilters(items: string[]): [string, string][] {
  return parseFilterArgs(items, FILTER_KEYS);
}

function matches(row: PsRow, [key, value]: [string, string]): boolean {
  const { rec, live } = row;
  switch (key) {
    case "id":
      return rec.id.startsWith(value);
    case "name":
      return rec.name.includes(value);
    case "status":
      return live.status === value;
    case "label": {
      const eq = value.indexOf("=");
      return eq < 0 ? value in rec.config.Labels : rec.config.Labels[value.slice(0, eq)] === value.slice(eq + 1);
    }
    case "ancestor":
      return rec.imageRef === value || rec.config.Image === value || rec.image === value || rec.image.replace("sha256:", "").startsWith(value);
    case "exited":
      return live.status === "exited" && String(live.exitCode) === value;
  }
  return false;
}

/** docker: filters of one key are OR-ed, different keys AND-ed. */
export function applyFilters(rows: PsRow[], filters: [string, string][]): PsRow[] {
  const byKey = new Map<string, [string, string][]>();
  for (const f of filters) byKey.set(f[0], [...(byKey.get(f[0]) ?? []), f]);
  return rows.filter((r) => [...byKey.values()].every((fs) => fs.some((f) => matches(r, f))));
}

const quote = (args: string[]) => JSON.stringify(args.join(" "));

export function psFields(row: PsRow, noTrunc: boolean, now = Date.now()): Record<string, string> {
  const { rec, live } = row;
  const cmd = quote([...(rec.config.Entrypoint ?? []), ...(rec.config.Cmd ?? [])]);
  return {
    ID: noTrunc ? rec.id : rec.id.slice(0, 12),
    Image: rec.config.Image,
    Command: noTrunc || cmd.length <= 22 ? cmd : `${cmd.slice(0, 19)}…"`,
    CreatedAt: rec.created,
    RunningFor: `${statusText({ ...live, status: "running", startedAt: rec.created }, now).slice(3)} ago`,
    Status: statusText(live, now),
    State: live.status,
    Ports: "",
    Names: rec.name,
    Labels: Object.entries(rec.config.Labels).map(([k, v]) => `${k}=${v}`).join(","),
  };
}

/** Fills {{.Field}} (and {{json .}}) placeholders, the subset of Go templates scripts use. */
export function renderTemplate(template: string, fields: Record<string, string>): string {
  const unescaped = template.replace(/\\t/g, "\t").replace(/\\n/g, "\n");
  return unescaped.replace(/\{\{\s*(json\s+)?\.(\w*)\s*\}\}/g, (whole, json: string | undefined, key: string) => {
    if (!key) return JSON.stringify(fields);
    if (!(key in fields)) throw new HuskError(`--format: unknown field .${key}`, `fields: ${Object.keys(fields).join(", ")}`, 125);
    return json ? JSON.stringify(fields[key]) : fields[key]!;
  });
}

export function renderTable(rows: Record<string, string>[]): string {
  const cols: [string, string][] = [["CONTAINER ID", "ID"], ["IMAGE", "Image"], ["COMMAND", "Command"], ["CREATED", "RunningFor"], ["STATUS", "Status"], ["PORTS", "Ports"], ["NAMES", "Names"]];
  const widths = cols.map(([h, k]) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (cells: string[]) => `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3))).join("")}\n`;
  return line(cols.map(([h]) => h)) + rows.map((r) => line(cols.map(([, k]) => r[k]!))).join("");
}
