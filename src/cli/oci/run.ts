import { Command, Option } from "clipanion";
import { BundleCommand } from "./bundle-command.ts";
import { OCI_HOT_VERBS, type OciVerbOptions } from "./hot-verbs.ts";

export class RunCommand extends BundleCommand {
  static override paths = [["oci", "run"]];
  static override usage = Command.Usage({
    category: "OCI runtime",
    description: "create and start a container; in the foreground, return its exit status",
    examples: [["Run the bundle in ./bundle", "husk oci run --bundle ./bundle mybox"]],
  });
  detach = Option.Boolean("--detach,-d", false, { description: "return once the container started" });
  keep = Option.Boolean("--keep", false, { description: "keep the stopped container (for `state`, `delete`) after a foreground run" });

  async run() {
    return OCI_HOT_VERBS.run!(this as unknown as OciVerbOptions, this.context);
  }
}
