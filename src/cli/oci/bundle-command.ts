// Flags shared by `create` and `run` (runc gives both the same set).
import { Option } from "clipanion";
import { intOption, OciCommand } from "./base.ts";

export abstract class BundleCommand extends OciCommand {
  bundle = Option.String("--bundle,-b", { description: "bundle directory (default: current directory)" });
  pidFile = Option.String("--pid-file", { description: "write the container's pid here" });
  consoleSocket = Option.String("--console-socket", { description: "unix socket that receives the pty master" });
  noPivot = Option.Boolean("--no-pivot", false, { description: "use MS_MOVE and chroot instead of pivot_root" });
  noNewKeyring = Option.Boolean("--no-new-keyring", false, { description: "accepted: husk never creates a session keyring" });
  preserveFds = Option.String("--preserve-fds", { description: "pass N extra fds (from 3) to the container" });
  id = Option.String();

  protected bundleOptions() {
    return {
      id: this.id,
      bundle: this.bundle,
      pidFile: this.pidFile,
      consoleSocket: this.consoleSocket,
      noPivot: this.noPivot,
      preserveFds: intOption("--preserve-fds", this.preserveFds),
    };
  }
}
