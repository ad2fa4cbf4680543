import { Command, Option } from "clipanion";
import { runContainerAction } from "./run-action.ts";
import { CreateOptionsCommand } from "./run-options.ts";

export class ContainerRunCommand extends CreateOptionsCommand {
  static override paths = [["run"], ["container", "run"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "create and start a container; in the foreground it streams output and returns the container's exit code",
    details: "Exit codes as docker: 125 when husk fails, 126 when the command cannot be run, 127 when it is not found, else the command's own.",
    examples: [
      ["Once, then gone", "husk run --rm busybox echo hello"],
      ["In the background, restarted on failure", "husk run -d --name web --restart on-failure:3 busybox httpd -f"],
      ["A shell", "husk run -it --rm busybox sh"],
    ],
  });
  detach = Option.Boolean("-d,--detach", false, { description: "run in the background and print the id" });
  image = Option.String({ required: true });
  cmd = Option.Proxy();

  async run() {
    return runContainerAction(
      { roots: this.roots, image: this.image, cmd: this.cmd, detach: this.detach, flags: this.flags(this.detach) },
      { stdin: this.context.stdin, stdout: this.context.stdout, stderr: this.context.stderr },
    );
  }
}
