import { Command } from "clipanion";
import { pruneNetworks } from "../../network/manager.ts";
import { NetworkBaseCommand } from "./base.ts";

export class NetworkPruneCommand extends NetworkBaseCommand {
  static override paths = [["network", "prune"]];
  static override usage = Command.Usage({ category: "Networks", description: "remove every user-defined network no container uses" });

  async run() {
    const removed = await pruneNetworks(this.context_());
    if (removed.length) this.context.stdout.write(`Deleted Networks:\n${removed.map((n) => `${n}\n`).join("")}`);
  }
}
