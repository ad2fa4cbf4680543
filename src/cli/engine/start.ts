import { Command, Option } from "clipanion";
import { runForeground } from "../../engine/foreground.ts";
import { startEngineContainer } from "../../engine/start.ts";
import { clearUserStopped } from "../../engine/user-stopped.ts";
import { EngineCommand, forEach } from "./base.ts";

export class ContainerStartCommand extends EngineCommand {
  static override paths = [["start"], ["container", "start"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "start created or stopped containers; with -a, stream the output and return the exit code",
    examples: [["Attached", "husk start -a web"]],
  });
  protected override failCode = 125;
  attach = Option.Boolean("-a,--attach", false, { description: "stream output, return the exit code" });
  interactive = Option.Boolean("-i,--interactive", false, { description: "attach stdin" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const store = this.records();
    if (this.attach) {
      if (this.refs.length > 1) throw new Error("start -a takes one container");
      const rec = store.find(this.refs[0]!);
      clearUserStopped(store.paths(rec.id));
      const started = await startEngineContainer(store, rec, { waitForAttach: true });
      return runForeground(store, rec, started.pid, { stdin: this.interactive ? this.context.stdin : undefined, stdout: this.context.stdout, stderr: this.context.stderr }, !started.already);
    }
    return forEach(this.refs, this.context.stderr, async (ref) => {
      const rec = store.find(ref);
      clearUserStopped(store.paths(rec.id));
      await startEngineContainer(store, rec, { waitForAttach: false });
      this.context.stdout.write(`${ref}\n`);
    });
  }
}
