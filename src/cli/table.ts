// Command output shared by the list commands.
import { HuskError } from "../runtime/errors.ts";

/** Prints rows as a left-aligned table (docker's look); the first row is the header. */
export function printTable(out: NodeJS.WritableStream, rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) out.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join("   ").trimEnd()}\n`);
}

/** The value of --format for commands that print a table or JSON. */
export function checkFormat(format: string): "table" | "json" {
  if (format !== "table" && format !== "json") throw new HuskError(`--format "${format}": expected table or json`);
  return format;
}
