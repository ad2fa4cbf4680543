import { Command, Option } from "clipanion";
import { HuskError } from "../../runtime/errors.ts";
import { parseVolumeFilters } from "../../volume/filters.ts";
import { pruneVolumes } from "../../volume/manager.ts";
import { VolumeBaseCommand } from "./base.ts";

export class VolumePruneCommand extends VolumeBaseCommand {
  static override paths = [["volume", "prune"]];
  static override usage = Command.Usage({
    category: "Volumes",
    description: "remove unused anonymous volumes (with -a: every unused volume)",
    details: "husk never asks for confirmation on a pipe; on a terminal it asks unless -f is given. Filters: label=KEY[=VALUE], label!=KEY[=VALUE].",
  });
  all = Option.Boolean("--all,-a", false, { description: "named volumes too" });
  force = Option.Boolean("--force,-f", false, { description: "do not ask" });
  filter = Option.Array("--filter", [], { description: "label=... or label!=..." });

  async run() {
    const filters = parseVolumeFilters(this.filter, ["label", "label!"]);
    if (!this.force && process.stdin.isTTY) {
      this.context.stdout.write(`This removes every unused ${this.all ? "" : "anonymous "}volume. Continue? [y/N] `);
      const answer = await new Promise<string>((res) => process.stdin.once("data", (d) => res(String(d))));
      process.stdin.pause();
      if (!/^y(es)?$/i.test(answer.trim())) throw new HuskError("volume prune: cancelled", undefined, 125);
    }
    const removed = await pruneVolumes(this.volumes(), { all: this.all, filters });
    this.context.stdout.write(`Deleted Volumes:\n${removed.map((n) => `${n}\n`).join("")}`);
  }
}
