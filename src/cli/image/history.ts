import { Command, Option } from "clipanion";
import { ellipsis, humanDuration, imageHistory } from "../../image/history.ts";
import { checkFormat } from "../table.ts";
import { humanSize, ImageCommand, shortId } from "./base.ts";

export class ImageHistoryCommand extends ImageCommand {
  static override paths = [["image", "history"], ["history"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "show the steps that made an image, newest first",
    examples: [
      ["As a table", "husk image history busybox"],
      ["One JSON object per step", "husk image history --format json --no-trunc busybox"],
    ],
  });
  noTrunc = Option.Boolean("--no-trunc", false, { description: "do not shorten ids and commands" });
  quiet = Option.Boolean("--quiet,-q", false, { description: "only ids" });
  human = Option.Boolean("--human,-H", true, { description: "sizes and dates in human form (default true)" });
  format = Option.String("--format", "table", { description: "table or json" });
  ref = Option.String();

  async run() {
    checkFormat(this.format);
    const record = this.images().resolve(this.ref);
    const config = JSON.parse(this.content().read(record.id).toString());
    const layers = this.layers();
    const rows = imageHistory(record, config, (i) => layers.size(record.layers[i]!.chainId) ?? record.layers[i]!.size);
    const now = Date.now();
    const view = rows.map((r) => ({
      ID: r.id === "<missing>" || this.noTrunc ? r.id : shortId(r.id),
      CreatedSince: r.created ? (this.human ? `${humanDuration(now - Date.parse(r.created))} ago` : r.created) : "N/A",
      CreatedAt: r.created ?? "",
      CreatedBy: this.noTrunc ? r.createdBy : ellipsis(r.createdBy.replace(/[\t\n]/g, " "), 45),
      Size: this.human ? humanSize(r.size) : String(r.size),
      Comment: r.comment,
    }));
    const out = this.context.stdout;
    if (this.quiet) {
      for (const v of view) out.write(`${v.ID}\n`);
      return;
    }
    if (this.format === "json") {
      for (const v of view) out.write(`${JSON.stringify(v)}\n`);
      return;
    }
    const lines = [["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"], ...view.map((v) => [v.ID, v.CreatedSince, v.CreatedBy, v.Size, v.Comment])];
    const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => [...l[i]!].length)));
    for (const l of lines) out.write(`${l.map((c, i) => c + " ".repeat(widths[i]! - [...c].length)).join("   ").trimEnd()}\n`);
  }
}
