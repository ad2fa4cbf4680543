import { Command, Option } from "clipanion";
import { removeContainer } from "../../engine/remove.ts";
import { EngineCommand, forEach } from "./base.ts";

export class ContainerRmCommand extends EngineCommand {
  static override paths = [["rm"], ["container", "rm"], ["container", "remove"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "remove containers: snapshot, cgroups, network namespace, logs and record",
    examples: [["Stop and remove, with its anonymous volumes", "husk rm -fv web"]],
  });
  force = Option.Boolean("-f,--force", false, { description: "kill it first when it runs" });
  volumes = Option.Boolean("-v,--volumes", false, { description: "also remove its anonymous volumes" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const store = this.records();
    return forEach(this.refs, this.context.stderr, async (ref) => {
      let rec;
      try {
        rec = store.find(ref);
      } catch (e) {
        // -f is idempotent (the monitor's --rm cleanup may race a user's rm -f).
        if (this.force && (e as Error).message.startsWith("no such container")) return;
        throw e;
      }
      await removeContainer(store, rec, { force: this.force, volumes: this.volumes });
      this.context.stdout.write(`${ref}\n`);
    });
  }
}
