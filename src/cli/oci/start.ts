import { Command, Option } from "clipanion";
import { OciCommand } from "./base.ts";
import { OCI_HOT_VERBS, type OciVerbOptions } from "./hot-verbs.ts";

export class StartCommand extends OciCommand {
  static override paths = [["oci", "start"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "start a created container" });
  id = Option.String();
  async run() {
    return OCI_HOT_VERBS.start!(this as unknown as OciVerbOptions, this.context);
  }
}
