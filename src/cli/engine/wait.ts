import { Command, Option } from "clipanion";
import { currentState } from "../../engine/container-state.ts";
import { exitCodeOf } from "../../engine/foreground.ts";
import { attach } from "../../engine/monitor-client.ts";
import { EngineCommand, forEach } from "./base.ts";

export class ContainerWaitCommand extends EngineCommand {
  static override paths = [["wait"], ["container", "wait"]];
  static override usage = Command.Usage({ category: "Containers", description: "wait until containers stop, then print their exit codes" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const store = this.records();
    return forEach(this.refs, this.context.stderr, async (ref) => {
      const rec = store.find(ref);
      const paths = store.paths(rec.id);
      let code: number | undefined;
      if (currentState(rec, paths).monitored) {
        try {
          code = exitCodeOf(await attach(paths.attachSocket, {}));
        } catch {
          // The monitor ended between the check and the connect: the status file says how.
        }
      }
      if (code === undefined) {
        const live = currentState(rec, paths);
        code = live.signal ? 128 + live.signal : live.exitCode;
      }
      this.context.stdout.write(`${code}\n`);
    });
  }
}
