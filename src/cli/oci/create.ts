import { Command, Option } from "clipanion";
import { createContainer } from "../../oci/ops/create.ts";
import { intOption, OciCommand } from "./base.ts";

export class CreateCommand extends OciCommand {
  static override paths = [["oci", "create"]];
  static override usage = Command.Usage({
    category: "OCI runtime",
    description: "create a container from a bundle; its process waits for `start`",
    examples: [["Create from the bundle in ./bundle", "husk oci create --bundle ./bundle mybox"]],
  });
  bundle = Option.String("--bundle,-b", { description: "bundle directory (default: current directory)" });
  pidFile = Option.String("--pid-file", { description: "write the container's pid here" });
  consoleSocket = Option.String("--console-socket", { description: "unix socket that receives the pty master" });
  noPivot = Option.Boolean("--no-pivot", false, { description: "use MS_MOVE and chroot instead of pivot_root" });
  noNewKeyring = Option.Boolean("--no-new-keyring", false, { description: "accepted: husk never creates a session keyring" });
  preserveFds = Option.String("--preserve-fds", { description: "pass N extra fds (from 3) to the container" });
  id = Option.String();

  async run() {
    await createContainer(this.store(), {
      id: this.id,
      bundle: this.bundle,
      pidFile: this.pidFile,
      consoleSocket: this.consoleSocket,
      noPivot: this.noPivot,
      preserveFds: intOption("--preserve-fds", this.preserveFds),
      waitForStart: true,
      detach: true,
    });
  }
}
