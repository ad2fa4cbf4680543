import { Command, Option } from "clipanion";
import { familiarReference, parseReference } from "../../image/reference.ts";
import { checkFormat, printTable } from "../table.ts";
import { humanSize, ImageCommand, shortId } from "./base.ts";

export class ImageLsCommand extends ImageCommand {
  static override paths = [["image", "ls"], ["image", "list"], ["images"]];
  static override usage = Command.Usage({ category: "Images", description: "list images" });
  quiet = Option.Boolean("--quiet,-q", false, { description: "only ids" });
  format = Option.String("--format", "table", { description: "table or json" });

  async run() {
    checkFormat(this.format);
    const rows = this.images().list();
    const out = this.context.stdout;
    if (this.quiet) {
      for (const { record } of rows) out.write(`${shortId(record.id)}\n`);
      return;
    }
    if (this.format === "json") {
      out.write(`${JSON.stringify(rows.map(({ record, names }) => ({ ...record, names })))}\n`);
      return;
    }
    const lines = [["REPOSITORY", "TAG", "IMAGE ID", "SIZE"]];
    for (const { record, names } of rows) {
      for (const name of names.length ? names : ["<none>:<none>"]) {
        const familiar = name.startsWith("<none>") ? name : familiarReference(parseReference(name));
        const at = familiar.lastIndexOf(":");
        const repo = familiar.includes("@") ? familiar.split("@")[0]! : familiar.slice(0, at);
        const tag = familiar.includes("@") ? "<none>" : familiar.slice(at + 1);
        lines.push([repo, tag, shortId(record.id), humanSize(record.size)]);
      }
    }
    printTable(out, lines);
  }
}
