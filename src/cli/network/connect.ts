import { Command, Option } from "clipanion";
import { connectContainer } from "../../engine/network-connect.ts";
import { EngineCommand } from "../engine/base.ts";

export class NetworkConnectCommand extends EngineCommand {
  static override paths = [["network", "connect"]];
  static override usage = Command.Usage({
    category: "Networks",
    description: "connect a container to one more network (now if its network namespace exists, else when it starts)",
    examples: [["With a fixed address and an alias", "husk network connect --ip 10.89.0.9 --alias db backend web"]],
  });
  ip = Option.String("--ip", { description: "IPv4 address on the network" });
  ip6 = Option.String("--ip6", { description: "IPv6 address on the network" });
  alias = Option.Array("--alias", { description: "another name of the container on this network" });
  network = Option.String({ required: true });
  container = Option.String({ required: true });

  async run() {
    await connectContainer(this.records(), this.container, this.network, { ip: this.ip, ip6: this.ip6, aliases: this.alias });
  }
}
