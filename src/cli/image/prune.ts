import { Command, Option } from "clipanion";
import { readContainerRefs } from "../../image/container-refs.ts";
import { HuskError } from "../../runtime/errors.ts";
import { humanSize, ImageCommand } from "./base.ts";

export class ImagePruneCommand extends ImageCommand {
  static override paths = [["image", "prune"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "remove nameless images (with --all, every image) that no container uses",
    examples: [
      ["Without a question", "husk image prune -f"],
      ["Every unused image", "husk image prune -a -f"],
    ],
  });
  all = Option.Boolean("--all,-a", false, { description: "every image no container uses, not only nameless ones" });
  force = Option.Boolean("--force,-f", false, { description: "do not ask for confirmation" });

  async run() {
    const refs = readContainerRefs(this.dataRoot);
    if (refs.unreadable.length) throw new HuskError(`cannot tell which images containers use: unreadable record ${refs.unreadable[0]}`, "repair or remove that container first");
    if (!this.force && !(await this.confirm())) return 0;
    const r = await this.images().prune(this.content(), this.layers(), { all: this.all, usedBy: new Set(refs.containers.map((c) => c.image)) });
    const out = this.context.stdout;
    if (r.untagged.length || r.deleted.length) {
      out.write("Deleted Images:\n");
      for (const n of r.untagged) out.write(`untagged: ${n}\n`);
      for (const id of r.deleted) out.write(`deleted: ${id}\n`);
      out.write("\n");
    }
    out.write(`Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
  }

  /** docker's question; anything but y/yes (or no stdin) keeps everything. */
  private async confirm(): Promise<boolean> {
    const what = this.all ? "all images without at least one container associated to them" : "all dangling images";
    this.context.stdout.write(`WARNING! This will remove ${what}.\nAre you sure you want to continue? [y/N] `);
    let answer = "";
    for await (const chunk of this.context.stdin as AsyncIterable<Buffer>) {
      answer += chunk.toString();
      if (answer.includes("\n")) break;
    }
    const yes = /^\s*y(es)?\s*$/i.test(answer.split("\n")[0] ?? "");
    if (!yes) this.context.stdout.write("\n");
    return yes;
  }
}
