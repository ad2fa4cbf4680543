// The base of `husk volume ...`: the volumes of --root/--data-root, and volume flags.
import { HuskError } from "../../runtime/errors.ts";
import { type VolumeContext, volumeContext } from "../../volume/manager.ts";
import { RootsCommand } from "../roots-command.ts";

export abstract class VolumeBaseCommand extends RootsCommand {
  private ctx?: VolumeContext;
  protected volumes(): VolumeContext {
    return (this.ctx ??= volumeContext(this.root, this.dataRoot));
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
