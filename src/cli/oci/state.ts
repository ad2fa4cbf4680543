import { Command, Option } from "clipanion";
import { OciCommand } from "./base.ts";
import { OCI_HOT_VERBS, type OciVerbOptions } from "./hot-verbs.ts";

export class StateCommand extends OciCommand {
  static override paths = [["oci", "state"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "print the runtime-spec state of a container as JSON" });
  id = Option.String();
  async run() {
    return OCI_HOT_VERBS.state!(this as unknown as OciVerbOptions, this.context);
  }
}
