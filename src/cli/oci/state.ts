import { Command, Option } from "clipanion";
import { stateJson } from "../../oci/ops/status.ts";
import { OciCommand } from "./base.ts";

export class StateCommand extends OciCommand {
  static override paths = [["oci", "state"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "print the runtime-spec state of a container as JSON" });
  id = Option.String();
  async run() {
    const store = this.store();
    this.context.stdout.write(`${JSON.stringify(stateJson(store, store.read(this.id)), null, 2)}\n`);
  }
}
