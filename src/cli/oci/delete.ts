import { Command, Option } from "clipanion";
import { OciCommand } from "./base.ts";
import { OCI_HOT_VERBS, type OciVerbOptions } from "./hot-verbs.ts";

export class DeleteCommand extends OciCommand {
  static override paths = [["oci", "delete"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "delete a container and everything it holds" });
  force = Option.Boolean("--force,-f", false, { description: "kill it first if it is still running" });
  id = Option.String();
  async run() {
    return OCI_HOT_VERBS.delete!(this as unknown as OciVerbOptions, this.context);
  }
}
