import { Command, Option } from "clipanion";
import { inspectVolume } from "../../volume/manager.ts";
import { VolumeBaseCommand } from "./base.ts";

export class VolumeInspectCommand extends VolumeBaseCommand {
  static override paths = [["volume", "inspect"]];
  static override usage = Command.Usage({ category: "Volumes", description: "print volumes as JSON (docker's fields, plus the containers that use them)" });
  names = Option.Rest({ required: 1 });

  async run() {
    const out = [];
    for (const name of this.names) out.push(await inspectVolume(this.volumes(), name));
    this.context.stdout.write(`${JSON.stringify(out, null, 4)}\n`);
  }
}
