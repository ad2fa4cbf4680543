import { Command, Option } from "clipanion";
import { runContainer } from "../../oci/ops/run.ts";
import { BundleCommand } from "./bundle-command.ts";

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
    return runContainer(this.store(), { ...this.bundleOptions(), detach: this.detach, keep: this.keep }, this.warn);
  }
}
