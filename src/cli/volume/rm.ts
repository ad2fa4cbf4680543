import { Command, Option } from "clipanion";
import { removeVolume } from "../../volume/manager.ts";
import { VolumeBaseCommand } from "./base.ts";

export class VolumeRmCommand extends VolumeBaseCommand {
  static override paths = [["volume", "rm"], ["volume", "remove"]];
  static override usage = Command.Usage({
    category: "Volumes",
    description: "remove volumes that no container uses",
    details: "A volume named by any container (running or not) is refused; remove the container first. -f only makes a missing volume no error.",
  });
  force = Option.Boolean("--force,-f", false, { description: "no error for a volume that does not exist" });
  names = Option.Rest({ required: 1 });

  async run() {
    let failed = 0;
    for (const name of this.names) {
      try {
        if (await removeVolume(this.volumes(), name, this.force)) this.context.stdout.write(`${name}\n`);
      } catch (e) {
        // Like docker: report each failure and carry on with the rest.
        if (this.names.length === 1) throw e;
        this.context.stderr.write(`husk: ${(e as Error).message}\n`);
        failed++;
      }
    }
    return failed ? 125 : 0;
  }
}
