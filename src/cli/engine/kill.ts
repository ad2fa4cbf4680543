import { Command, Option } from "clipanion";
import { killContainer } from "../../engine/stop.ts";
import { markUserStopped } from "../../engine/user-stopped.ts";
import { EngineCommand, forEach } from "./base.ts";

export class ContainerKillCommand extends EngineCommand {
  static override paths = [["kill"], ["container", "kill"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "send a signal to containers' main process (default SIGKILL)",
    examples: [["Reload", "husk kill -s HUP web"]],
  });
  signal = Option.String("-s,--signal", "KILL", { description: "signal name or number" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const store = this.records();
    return forEach(this.refs, this.context.stderr, async (ref) => {
      const rec = store.find(ref);
      killContainer(rec, store.paths(rec.id), this.signal);
      // docker counts a kill as a stop by the user (an unless-stopped container stays down after a reboot).
      markUserStopped(store.paths(rec.id));
      this.context.stdout.write(`${ref}\n`);
    });
  }
}
