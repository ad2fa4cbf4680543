import { Command, Option } from "clipanion";
import { stopContainer, stopTimeoutOf } from "../../engine/stop.ts";
import { parseInteger } from "../../engine/flags/sizes.ts";
import { markUserStopped } from "../../engine/user-stopped.ts";
import { EngineCommand, forEach } from "./base.ts";

export class ContainerStopCommand extends EngineCommand {
  static override paths = [["stop"], ["container", "stop"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "stop containers: the stop signal, then SIGKILL after the timeout; the restart policy does not bring them back",
    examples: [["Give it 2 seconds", "husk stop -t 2 web"]],
  });
  time = Option.String("-t,--time,--timeout", { description: "seconds before SIGKILL (default: --stop-timeout, else 10)" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const timeout = this.time === undefined ? undefined : parseInteger("--time", this.time, 0);
    const store = this.records();
    return forEach(this.refs, this.context.stderr, async (ref) => {
      const rec = store.find(ref);
      markUserStopped(store.paths(rec.id));
      await stopContainer(rec, store.paths(rec.id), stopTimeoutOf(rec, timeout));
      this.context.stdout.write(`${ref}\n`);
    });
  }
}
