import { Command, Option } from "clipanion";
import { parseInteger } from "../../engine/flags/sizes.ts";
import { recordEvent } from "../../engine/events.ts";
import { startEngineContainer } from "../../engine/start.ts";
import { stopContainer, stopTimeoutOf } from "../../engine/stop.ts";
import { clearUserStopped } from "../../engine/user-stopped.ts";
import { EngineCommand, forEach } from "./base.ts";

export class ContainerRestartCommand extends EngineCommand {
  static override paths = [["restart"], ["container", "restart"]];
  static override usage = Command.Usage({ category: "Containers", description: "stop (if running) and start containers again" });
  time = Option.String("-t,--time,--timeout", { description: "seconds before SIGKILL (default: --stop-timeout, else 10)" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const timeout = this.time === undefined ? undefined : parseInteger("--time", this.time, 0);
    const store = this.records();
    return forEach(this.refs, this.context.stderr, async (ref) => {
      const rec = store.find(ref);
      await stopContainer(rec, store.paths(rec.id), stopTimeoutOf(rec, timeout));
      clearUserStopped(store.paths(rec.id));
      await startEngineContainer(store, rec, { waitForAttach: false });
      recordEvent(this.roots, "restart", rec.id, { name: rec.name });
      this.context.stdout.write(`${ref}\n`);
    });
  }
}
