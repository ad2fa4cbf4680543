import { Command, Option } from "clipanion";
import { disconnectContainer } from "../../engine/network-connect.ts";
import { EngineCommand } from "../engine/base.ts";

export class NetworkDisconnectCommand extends EngineCommand {
  static override paths = [["network", "disconnect"]];
  static override usage = Command.Usage({
    category: "Networks",
    description: "disconnect a container from a network: its interface, address lease and published ports go",
    examples: [["", "husk network disconnect backend web"]],
  });
  force = Option.Boolean("-f,--force", false, { description: "also when the network is gone or its driver fails" });
  network = Option.String({ required: true });
  container = Option.String({ required: true });

  async run() {
    await disconnectContainer(this.records(), this.container, this.network, this.force);
  }
}
