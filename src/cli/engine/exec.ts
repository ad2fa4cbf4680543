import { Command, Option } from "clipanion";
import { execInEngineContainer } from "../../engine/exec.ts";
import { EngineCommand } from "./base.ts";

export class ContainerExecCommand extends EngineCommand {
  static override paths = [["exec"], ["container", "exec"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "run a command in a running container; returns its exit code (126: cannot run it, 127: not found)",
    examples: [["A shell", "husk exec -it web sh"], ["As a user, in a dir", "husk exec -u nobody -w /tmp web id"]],
  });
  protected override failCode = 125;
  interactive = Option.Boolean("-i,--interactive", false, { description: "keep stdin open" });
  tty = Option.Boolean("-t,--tty", false, { description: "allocate a pseudo-terminal" });
  detach = Option.Boolean("-d,--detach", false, { description: "run it in the background" });
  env = Option.Array("-e,--env", [], { description: "KEY=VALUE" });
  user = Option.String("-u,--user", { description: "USER[:GROUP]" });
  workdir = Option.String("-w,--workdir", { description: "working directory" });
  privileged = Option.Boolean("--privileged", false, { description: "all the container's bounding capabilities" });
  ref = Option.String({ required: true });
  args = Option.Proxy({ required: 1 });

  async run() {
    const store = this.records();
    const rec = store.find(this.ref);
    return execInEngineContainer(rec, store.paths(rec.id), {
      args: this.args, tty: this.tty, detach: this.detach, env: this.env, user: this.user, workdir: this.workdir, privileged: this.privileged,
    });
  }
}
