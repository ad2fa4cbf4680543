import { Command, Option } from "clipanion";
import { BUILTIN_NETWORKS, getNetwork } from "../../network/manager.ts";
import { checkFormat, printTable } from "../table.ts";
import { NetworkBaseCommand } from "./base.ts";

export class NetworkLsCommand extends NetworkBaseCommand {
  static override paths = [["network", "ls"], ["network", "list"]];
  static override usage = Command.Usage({ category: "Networks", description: "list networks" });
  quiet = Option.Boolean("--quiet,-q", false, { description: "only ids" });
  format = Option.String("--format", "table", { description: "table or json" });

  async run() {
    const format = checkFormat(this.format);
    const ctx = this.context_();
    for (const name of Object.keys(BUILTIN_NETWORKS)) await getNetwork(ctx, name); // listed like docker's
    const nets = ctx.store.list();
    const out = this.context.stdout;
    if (this.quiet) return void nets.forEach((n) => out.write(`${n.id.slice(0, 12)}\n`));
    if (format === "json") return void out.write(`${JSON.stringify(nets)}\n`);
    printTable(out, [["NETWORK ID", "NAME", "DRIVER", "SUBNETS"], ...nets.map((n) => [n.id.slice(0, 12), n.name, n.driver, n.subnets.map((s) => s.subnet).join(",")])]);
  }
}
