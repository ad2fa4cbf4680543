import { Command, Option } from "clipanion";
import { dfSize } from "../../engine/disk-usage.ts";
import { parsePruneFilters, pruneContainers } from "../../engine/prune.ts";
import { confirm } from "./confirm.ts";
import { EngineCommand } from "./base.ts";

export class ContainerPruneCommand extends EngineCommand {
  static override paths = [["container", "prune"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "remove every container that is not running (created or exited)",
    examples: [["Without a question", "husk container prune -f"], ["Only those created over an hour ago", "husk container prune -f --filter until=1h"]],
  });
  force = Option.Boolean("-f,--force", false, { description: "do not ask for confirmation" });
  filter = Option.Array("--filter", [], { description: "until=TIME|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE]" });

  async run() {
    const f = parsePruneFilters(this.filter);
    if (!this.force && !(await confirm(this.context, "This will remove all stopped containers."))) return 0;
    const r = await pruneContainers(this.records(), f);
    const out = this.context.stdout;
    if (r.deleted.length) out.write(`Deleted Containers:\n${r.deleted.map((id) => `${id}\n`).join("")}\n`);
    out.write(`Total reclaimed space: ${dfSize(r.reclaimed)}\n`);
  }
}
