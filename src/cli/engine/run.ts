import { Command, Option } from "clipanion";
import { createEngineContainer } from "../../engine/create.ts";
import { runForeground } from "../../engine/foreground.ts";
import { removeContainer } from "../../engine/remove.ts";
import { startEngineContainer } from "../../engine/start.ts";
import { CreateOptionsCommand } from "./run-options.ts";
import { trace } from "../../util/trace.ts";

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
    trace("engine run: parsed");
    const store = this.records();
    const rec = await createEngineContainer(store, {
      image: this.image,
      cmd: this.cmd,
      flags: this.flags(this.detach),
      onPull: (ref) => this.context.stderr.write(`Unable to find image '${ref}' locally\n`),
    });
    let started;
    try {
      started = await startEngineContainer(store, rec, { waitForAttach: !this.detach, justCreated: true });
    } catch (e) {
      // docker keeps a container that failed to start, unless --rm asked otherwise.
      if (rec.hostConfig.AutoRemove) await removeContainer(store, store.read(rec.id), { force: true, volumes: true });
      throw e;
    }
    if (this.detach) {
      this.context.stdout.write(`${rec.id}\n`);
      return 0;
    }
    return runForeground(store, rec, started.pid, { stdin: this.context.stdin, stdout: this.context.stdout, stderr: this.context.stderr }, true);
  }
}
