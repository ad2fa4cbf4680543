// The base of `husk network ...` and `husk plugin ...`: where state lives, error handling.
import { Command, Option } from "clipanion";
import { type NetworkContext, networkContext } from "../../network/manager.ts";
import { PluginRegistry } from "../../plugin/registry.ts";
import { HuskError } from "../../runtime/errors.ts";
import { reportError } from "../log.ts";

export abstract class NetworkBaseCommand extends Command {
  root = Option.String("--root", process.env.HUSK_ROOT ?? "/run/husk", { description: "live state (default /run/husk)" });
  dataRoot = Option.String("--data-root", process.env.HUSK_DATA_ROOT ?? "/var/lib/husk", {
    description: "where networks, leases, images and volumes live (default /var/lib/husk)",
  });

  private ctx?: NetworkContext;
  protected context_(): NetworkContext {
    return (this.ctx ??= networkContext(this.root, this.dataRoot));
  }
  protected registry(): PluginRegistry {
    return this.context_().registry;
  }

  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (e) {
      const code = reportError(e, { format: "text", debug: false }, this.context.stderr);
      return e instanceof HuskError ? 125 : code; // docker's "the engine failed" code
    }
  }
}

/** Prints rows as a left-aligned table (docker's look). */
export function printTable(out: NodeJS.WritableStream, rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) out.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join("   ").trimEnd()}\n`);
}

export function checkFormat(format: string): "table" | "json" {
  if (format !== "table" && format !== "json") throw new HuskError(`--format "${format}": expected table or json`);
  return format;
}

/** k=v pairs from repeated options. */
export function parsePairs(flag: string, items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items) {
    const eq = it.indexOf("=");
    if (eq <= 0) throw new HuskError(`${flag} "${it}": expected KEY=VALUE`);
    out[it.slice(0, eq)] = it.slice(eq + 1);
  }
  return out;
}
