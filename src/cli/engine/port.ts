import { Command, Option } from "clipanion";
import { portLines } from "../../engine/network-ports.ts";
import { HuskError } from "../../runtime/errors.ts";
import { EngineCommand } from "./base.ts";

export class ContainerPortCommand extends EngineCommand {
  static override paths = [["port"], ["container", "port"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "list a container's published ports (or the host address of one)",
    examples: [
      ["All of them", "husk port web"],
      ["Where 80/tcp is published", "husk port web 80/tcp"],
    ],
  });
  container = Option.String({ required: true });
  port = Option.String({ required: false });

  async run() {
    const rec = this.records().find(this.container);
    const mapped = Object.values(rec.networks ?? {}).flatMap((e) => e.Ports ?? []);
    if (this.port !== undefined && !/^\d{1,5}(\/(tcp|udp))?$/.test(this.port)) throw new HuskError(`invalid port "${this.port}": expected PORT[/tcp|udp]`);
    const lines = portLines(mapped, this.port);
    if (this.port !== undefined && !lines.length) throw new HuskError(`no public port '${this.port.includes("/") ? this.port : `${this.port}/tcp`}' published for ${rec.name}`);
    for (const l of lines) this.context.stdout.write(`${l}\n`);
  }
}
