// The base of `husk network ...`: the networks of --root/--data-root, and network flags.
import { type NetworkContext, networkContext } from "../../network/manager.ts";
import { HuskError } from "../../runtime/errors.ts";
import { RootsCommand } from "../roots-command.ts";

export abstract class NetworkBaseCommand extends RootsCommand {
  private ctx?: NetworkContext;
  protected context_(): NetworkContext {
    return (this.ctx ??= networkContext(this.root, this.dataRoot));
  }
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
