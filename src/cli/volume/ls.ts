import { Command, Option } from "clipanion";
import { parseVolumeFilters } from "../../volume/filters.ts";
import { listVolumes } from "../../volume/manager.ts";
import { printTable } from "../table.ts";
import { checkFormat, VolumeBaseCommand } from "./base.ts";

export class VolumeLsCommand extends VolumeBaseCommand {
  static override paths = [["volume", "ls"], ["volume", "list"]];
  static override usage = Command.Usage({
    category: "Volumes",
    description: "list volumes",
    details: "Filters: name=SUBSTRING, driver=NAME, label=KEY[=VALUE], dangling=true|false (no container uses it).",
    examples: [["Volumes no container uses", "husk volume ls -f dangling=true"]],
  });
  quiet = Option.Boolean("--quiet,-q", false, { description: "only names" });
  filter = Option.Array("--filter,-f", [], { description: "KEY=VALUE (repeatable)" });
  format = Option.String("--format", "table", { description: "table or json" });

  async run() {
    const format = checkFormat(this.format);
    const vols = await listVolumes(this.volumes(), parseVolumeFilters(this.filter, ["name", "driver", "label", "dangling"]));
    const out = this.context.stdout;
    if (this.quiet) return void vols.forEach((v) => out.write(`${v.name}\n`));
    if (format === "json") return void out.write(`${JSON.stringify(vols.map((v) => ({ Name: v.name, Driver: v.driver, Labels: v.labels, CreatedAt: v.created })))}\n`);
    printTable(out, [["DRIVER", "VOLUME NAME"], ...vols.map((v) => [v.driver, v.name])]);
  }
}
