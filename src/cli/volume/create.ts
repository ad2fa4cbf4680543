import { Command, Option } from "clipanion";
import { createVolume } from "../../volume/manager.ts";
import { keyValues, VolumeBaseCommand } from "./base.ts";

export class VolumeCreateCommand extends VolumeBaseCommand {
  static override paths = [["volume", "create"]];
  static override usage = Command.Usage({
    category: "Volumes",
    description: "create a volume (or accept an existing one with the same settings)",
    details: "Without a name a random one is made. The local driver takes type, device and o options, as mount(8) does; without them a volume is a plain directory.",
    examples: [
      ["A plain named volume", "husk volume create data"],
      ["A 64 MiB tmpfs, mounted while a container uses it", "husk volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=64m,mode=1777 scratch"],
      ["A bind of a host directory", "husk volume create --opt type=none --opt device=/srv/data --opt o=bind srv"],
      ["Through a docker volume plugin", "husk volume create --driver myplugin -o size=1g shared"],
    ],
  });
  driver = Option.String("--driver,-d", "local", { description: "volume driver (default local)" });
  opt = Option.Array("--opt,-o", [], { description: "driver option KEY=VALUE" });
  label = Option.Array("--label", [], { description: "label KEY=VALUE" });
  name = Option.String({ required: false });

  async run() {
    const v = await createVolume(this.volumes(), {
      name: this.name,
      driver: this.driver,
      options: keyValues("--opt", this.opt),
      labels: keyValues("--label", this.label),
    });
    this.context.stdout.write(`${v.name}\n`);
  }
}
