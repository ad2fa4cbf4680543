import { Command, Option } from "clipanion";
import { loadArchive } from "../../image/archive/load.ts";
import { familiarReference, parseReference } from "../../image/reference.ts";
import { ImageCommand } from "./base.ts";

export class ImageLoadCommand extends ImageCommand {
  static override paths = [["image", "load"], ["load"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "load images from a docker-archive tar (docker save) or an OCI layout (directory or tar)",
    examples: [["A docker save tarball", "husk image load -i busybox.tar"]],
  });
  input = Option.String("--input,-i", { required: true, description: "archive file or OCI layout directory" });
  quiet = Option.Boolean("--quiet,-q", false);

  async run() {
    const loaded = await loadArchive(this.input, { dataRoot: this.dataRoot, root: process.getuid?.() === 0 });
    for (const { record, names } of loaded) {
      if (this.quiet) continue;
      if (names.length) for (const n of names) this.context.stdout.write(`Loaded image: ${familiarReference(parseReference(n))}\n`);
      else this.context.stdout.write(`Loaded image ID: ${record.id}\n`);
    }
  }
}
