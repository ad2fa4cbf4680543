import { Command } from "clipanion";
import { BundleCommand } from "./bundle-command.ts";
import { OCI_HOT_VERBS, type OciVerbOptions } from "./hot-verbs.ts";

export class CreateCommand extends BundleCommand {
  static override paths = [["oci", "create"]];
  static override usage = Command.Usage({
    category: "OCI runtime",
    description: "create a container from a bundle; its process waits for `start`",
    examples: [["Create from the bundle in ./bundle", "husk oci create --bundle ./bundle mybox"]],
  });

  async run() {
    return OCI_HOT_VERBS.create!(this as unknown as OciVerbOptions, this.context);
  }
}
