import { Command, Option } from "clipanion";
import { createEngineContainer } from "../../engine/create.ts";
import { CreateOptionsCommand } from "./run-options.ts";

export class ContainerCreateCommand extends CreateOptionsCommand {
  static override paths = [["create"], ["container", "create"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "create a container from an image without starting it; prints its id",
    examples: [["A named container", "husk create --name web -e PORT=80 busybox httpd -f"]],
  });
  image = Option.String({ required: true });
  cmd = Option.Proxy();

  async run() {
    const rec = await createEngineContainer(this.records(), {
      image: this.image,
      cmd: this.cmd,
      flags: this.flags(false),
      onPull: (ref) => this.context.stderr.write(`Unable to find image '${ref}' locally\n`),
    });
    this.context.stdout.write(`${rec.id}\n`);
  }
}
