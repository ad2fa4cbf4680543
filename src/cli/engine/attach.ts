import { Command, Option } from "clipanion";
import { currentState } from "../../engine/container-state.ts";
import { recordEvent } from "../../engine/events.ts";
import { exitCodeOf } from "../../engine/foreground.ts";
import { attach } from "../../engine/monitor-client.ts";
import { HuskError } from "../../runtime/errors.ts";
import { EngineCommand } from "./base.ts";

export class ContainerAttachCommand extends EngineCommand {
  static override paths = [["attach"], ["container", "attach"]];
  static override usage = Command.Usage({ category: "Containers", description: "connect to a running container's output (and stdin); returns its exit code" });
  noStdin = Option.Boolean("--no-stdin", false, { description: "do not attach stdin" });
  ref = Option.String({ required: true });

  async run() {
    const store = this.records();
    const rec = store.find(this.ref);
    const paths = store.paths(rec.id);
    const live = currentState(rec, paths);
    if (!live.running) throw new HuskError(`cannot attach to container ${rec.name}: it is not running (${live.status})`, `start it with 'husk start -a ${rec.name}'`);
    recordEvent(this.roots, "attach", rec.id, { name: rec.name });
    const exit = await attach(paths.attachSocket, {
      stdin: rec.config.OpenStdin && !this.noStdin ? this.context.stdin : undefined,
      stdout: this.context.stdout,
      stderr: this.context.stderr,
      tty: rec.config.Tty,
      forwardSignalsTo: live.pid,
    });
    return exitCodeOf(exit);
  }
}
