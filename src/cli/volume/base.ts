// The base of `husk volume ...`: where state lives, and errors as one line with exit 125.
import { Command, Option } from "clipanion";
import { HuskError } from "../../runtime/errors.ts";
import { type VolumeContext, volumeContext } from "../../volume/manager.ts";
import { reportError } from "../log.ts";

export abstract class VolumeBaseCommand extends Command {
  root = Option.String("--root", process.env.HUSK_ROOT ?? "/run/husk", { description: "live state (default /run/husk)" });
  dataRoot = Option.String("--data-root", process.env.HUSK_DATA_ROOT ?? "/var/lib/husk", {
    description: "where volumes, images and containers live (default /var/lib/husk)",
  });

  private ctx?: VolumeContext;
  protected volumes(): VolumeContext {
    return (this.ctx ??= volumeContext(this.root, this.dataRoot));
  }

  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (e) {
      const code = reportError(e, { format: "text", debug: false }, this.context.stderr);
      return e instanceof HuskError ? 125 : code;
    }
  }
}

/** KEY=VALUE pairs of a repeated flag. */
export function keyValues(flag: string, items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items) {
    const eq = it.indexOf("=");
    if (eq <= 0) throw new HuskError(`invalid value "${it}" for ${flag}: expected KEY=VALUE`, undefined, 125);
    out[it.slice(0, eq)] = it.slice(eq + 1);
  }
  return out;
}

export function checkFormat(format: string): "table" | "json" {
  if (format !== "table" && format !== "json") throw new HuskError(`invalid value "${format}" for --format: expected table or json`, undefined, 125);
  return format;
}
