import { Command, Option } from "clipanion";
import { deleteContainer } from "../../oci/ops/delete.ts";
import { OciCommand } from "./base.ts";

export class DeleteCommand extends OciCommand {
  static override paths = [["oci", "delete"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "delete a container and everything it holds" });
  force = Option.Boolean("--force,-f", false, { description: "kill it first if it is still running" });
  id = Option.String();
  async run() {
    await deleteContainer(this.store(), this.id, this.force, this.warn);
  }
}
