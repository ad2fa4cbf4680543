import { Command, Option } from "clipanion";
import { startContainer } from "../../oci/ops/start.ts";
import { OciCommand } from "./base.ts";

export class StartCommand extends OciCommand {
  static override paths = [["oci", "start"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "start a created container" });
  id = Option.String();
  async run() {
    await startContainer(this.store(), this.id, this.warn);
  }
}
