import { Command, Option } from "clipanion";
import { dfSize, reclaimable } from "../../engine/disk-usage.ts";
import { renderGoTemplate } from "../../engine/go-template.ts";
import { diskUsage } from "../../engine/system-df.ts";
import { EngineCommand } from "./base.ts";

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join("")}\n`).join("");
}

export class SystemDfCommand extends EngineCommand {
  static override paths = [["system", "df"]];
  static override usage = Command.Usage({
    category: "System",
    description: "show disk space used by images, containers (writable layers), local volumes and build cache",
    examples: [["Per item", "husk system df -v"], ["As JSON lines", "husk system df --format json"]],
  });
  verbose = Option.Boolean("-v,--verbose", false, { description: "one line per image, container and volume" });
  format = Option.String("--format", { description: "json, or a template such as '{{.Type}} {{.Size}}'" });

  async run() {
    const du = diskUsage(this.records());
    const cSize = du.containers.reduce((a, c) => a + c.size, 0);
    const cFree = du.containers.filter((c) => !c.running).reduce((a, c) => a + c.size, 0);
    const vSize = du.volumes.reduce((a, v) => a + v.size, 0);
    const vFree = du.volumes.filter((v) => !v.links).reduce((a, v) => a + v.size, 0);
    const summary = [
      { Type: "Images", TotalCount: String(du.images.length), Active: String(du.images.filter((i) => i.containers).length), Size: dfSize(du.imagesSize), Reclaimable: reclaimable(du.imagesReclaimable, du.imagesSize) },
      { Type: "Containers", TotalCount: String(du.containers.length), Active: String(du.containers.filter((c) => c.running).length), Size: dfSize(cSize), Reclaimable: reclaimable(cFree, cSize) },
      { Type: "Local Volumes", TotalCount: String(du.volumes.length), Active: String(du.volumes.filter((v) => v.links).length), Size: dfSize(vSize), Reclaimable: reclaimable(vFree, vSize) },
      { Type: "Build Cache", TotalCount: "0", Active: "0", Size: "0B", Reclaimable: "0B" },
    ];
    const out = this.context.stdout;
    if (this.format === "json") {
      for (const s of summary) out.write(`${JSON.stringify(s)}\n`);
      return;
    }
    if (this.format) {
      for (const s of summary) out.write(`${renderGoTemplate(this.format, s)}\n`);
      return;
    }
    if (!this.verbose) {
      out.write(table([["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"], ...summary.map((s) => [s.Type, s.TotalCount, s.Active, s.Size, s.Reclaimable])]));
      return;
    }
    out.write("Images space usage:\n\n");
    const imgRows = du.images.flatMap((i) => (i.names.length ? i.names : ["<none>:<none>"]).map((n) => {
      const colon = n.lastIndexOf(":");
      return [n.slice(0, colon), n.slice(colon + 1), i.id.replace(/^sha256:/, "").slice(0, 12), dfSize(i.size), String(i.containers)];
    }));
    out.write(table([["REPOSITORY", "TAG", "IMAGE ID", "SIZE", "CONTAINERS"], ...imgRows]));
    out.write("\nContainers space usage:\n\n");
    out.write(table([["CONTAINER ID", "IMAGE", "SIZE", "STATUS", "NAMES"], ...du.containers.map((c) => [c.id.slice(0, 12), c.image, dfSize(c.size), c.status, c.name])]));
    out.write("\nLocal Volumes space usage:\n\n");
    out.write(table([["VOLUME NAME", "LINKS", "SIZE"], ...du.volumes.map((v) => [v.name, String(v.links), dfSize(v.size)])]));
    out.write("\nBuild cache usage: 0B\n");
  }
}
