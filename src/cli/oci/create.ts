import { Command } from "clipanion";
import { createContainer } from "../../oci/ops/create.ts";
import { BundleCommand } from "./bundle-command.ts";

export class CreateCommand extends BundleCommand {
  static override paths = [["oci", "create"]];
  static override usage = Command.Usage({
    category: "OCI runtime",
    description: "create a container from a bundle; its process waits for `start`",
    examples: [["Create from the bundle in ./bundle", "husk oci create --bundle ./bundle mybox"]],
  });

  async run() {
    await createContainer(this.store(), { ...this.bundleOptions(), waitForStart: true, detach: true });
  }
}
