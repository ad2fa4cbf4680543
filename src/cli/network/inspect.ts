import { Command, Option } from "clipanion";
import { inspectNetwork } from "../../network/manager.ts";
import { NetworkBaseCommand } from "./base.ts";

export class NetworkInspectCommand extends NetworkBaseCommand {
  static override paths = [["network", "inspect"]];
  static override usage = Command.Usage({ category: "Networks", description: "print networks as JSON, with their containers" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const out = [];
    for (const ref of this.refs) out.push(await inspectNetwork(this.context_(), ref));
    this.context.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  }
}
