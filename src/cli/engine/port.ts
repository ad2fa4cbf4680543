import { Command, Option } from "clipanion";
import { portLines, publishedPorts } from "../../engine/ports.ts";
import { EngineCommand } from "./base.ts";

export class ContainerPortCommand extends EngineCommand {
  static override paths = [["port"], ["container", "port"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "list a container's published ports, or the host address of one of them",
    examples: [["All", "husk port web"], ["One", "husk port web 80/tcp"]],
  });
  ref = Option.String({ required: true });
  privatePort = Option.String({ required: false });

  async run() {
    const rec = this.records().find(this.ref);
    for (const line of portLines(publishedPorts(rec), rec.name, this.privatePort)) this.context.stdout.write(`${line}\n`);
  }
}
