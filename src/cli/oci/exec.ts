import { Command, Option } from "clipanion";
import { execInContainer } from "../../oci/ops/exec.ts";
import { intOption, OciCommand } from "./base.ts";

export class ExecCommand extends OciCommand {
  static override paths = [["oci", "exec"]];
  static override usage = Command.Usage({
    category: "OCI runtime",
    description: "run a new process inside a running container",
    examples: [["A shell command", "husk oci exec mybox sh -c 'echo hi'"], ["From a process.json", "husk oci exec -p process.json mybox"]],
  });
  process = Option.String("--process,-p", { description: "process.json to run" });
  tty = Option.Boolean("--tty,-t", false);
  consoleSocket = Option.String("--console-socket");
  detach = Option.Boolean("--detach,-d", false);
  pidFile = Option.String("--pid-file");
  cwd = Option.String("--cwd");
  env = Option.Array("--env,-e", []);
  user = Option.String("--user,-u", { description: "UID[:GID]" });
  additionalGids = Option.Array("--additional-gids,-g", []);
  cap = Option.Array("--cap,-c", []);
  noNewPrivs = Option.Boolean("--no-new-privs", false);
  preserveFds = Option.String("--preserve-fds");
  processLabel = Option.String("--process-label", { hidden: true });
  apparmor = Option.String("--apparmor", { hidden: true });
  id = Option.String();
  args = Option.Proxy();

  async run() {
    const exit = await execInContainer(this.store(), {
      id: this.id,
      processFile: this.process,
      args: this.args,
      tty: this.tty,
      consoleSocket: this.consoleSocket,
      detach: this.detach,
      pidFile: this.pidFile,
      cwd: this.cwd,
      env: this.env,
      user: this.user,
      additionalGids: this.additionalGids.map((g) => intOption("--additional-gids", g) ?? 0),
      caps: this.cap,
      noNewPrivs: this.noNewPrivs,
      preserveFds: intOption("--preserve-fds", this.preserveFds),
    });
    return exit?.status ?? 0;
  }
}
