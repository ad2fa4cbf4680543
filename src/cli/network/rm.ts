import { Command, Option } from "clipanion";
import { removeNetwork } from "../../network/manager.ts";
import { NetworkBaseCommand } from "./base.ts";

export class NetworkRmCommand extends NetworkBaseCommand {
  static override paths = [["network", "rm"], ["network", "remove"]];
  static override usage = Command.Usage({ category: "Networks", description: "remove networks no container uses" });
  refs = Option.Rest({ required: 1 });

  async run() {
    let failed = 0;
    for (const ref of this.refs) {
      try {
        const net = await removeNetwork(this.context_(), ref);
        this.context.stdout.write(`${net.name}\n`);
      } catch (e) {
        // Like docker: report each failure and carry on with the rest.
        if (this.refs.length === 1) throw e;
        this.context.stderr.write(`husk: ${(e as Error).message}\n`);
        failed++;
      }
    }
    return failed ? 125 : 0;
  }
}
