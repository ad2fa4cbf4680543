import { Command, Option } from "clipanion";
import { runContainer } from "../../oci/ops/run.ts";
import { intOption, OciCommand } from "./base.ts";

export class RunCommand extends OciCommand {
  static override paths = [["oci", "run"]];
  static override usage = Command.Usage({
    category: "OCI runtime",
    description: "create and start a container; in the foreground, return its exit status",
    examples: [["Run the bundle in ./bundle", "husk oci run --bundle ./bundle mybox"]],
  });
  bundle = Option.String("--bundle,-b", { description: "bundle directory (default: current directory)" });
  pidFile = Option.String("--pid-file");
  consoleSocket = Option.String("--console-socket");
  detach = Option.Boolean("--detach,-d", false, { description: "return once the container started" });
  noPivot = Option.Boolean("--no-pivot", false);
  noNewKeyring = Option.Boolean("--no-new-keyring", false);
  preserveFds = Option.String("--preserve-fds");
  keep = Option.Boolean("--keep", false, { description: "accepted for runc compatibility" });
  id = Option.String();

  async run() {
    return runContainer(this.store(), {
      id: this.id,
      bundle: this.bundle,
      pidFile: this.pidFile,
      consoleSocket: this.consoleSocket,
      noPivot: this.noPivot,
      preserveFds: intOption("--preserve-fds", this.preserveFds),
      detach: this.detach,
    }, this.warn);
  }
}
