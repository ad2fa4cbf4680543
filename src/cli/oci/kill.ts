import { Command, Option } from "clipanion";
import { OciCommand } from "./base.ts";
import { OCI_HOT_VERBS, type OciVerbOptions } from "./hot-verbs.ts";

export class KillCommand extends OciCommand {
  static override paths = [["oci", "kill"]];
  static override usage = Command.Usage({
    category: "OCI runtime",
    description: "send a signal (default TERM) to a container",
    examples: [["Stop it hard", "husk oci kill mybox KILL"], ["Every process", "husk oci kill --all mybox 9"]],
  });
  all = Option.Boolean("--all,-a", false, { description: "signal every process in the container's cgroup" });
  id = Option.String();
  signal = Option.String({ required: false });
  async run() {
    return OCI_HOT_VERBS.kill!(this as unknown as OciVerbOptions, this.context);
  }
}
