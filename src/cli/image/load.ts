import { Command, Option } from "clipanion";
import { loadArchive } from "../../image/archive/load.ts";
import { familiarReference, parseReference } from "../../image/reference.ts";
import { ImageCommand } from "./base.ts";

export class ImageLoadCommand extends ImageCommand {
  static override paths = [["image", "load"], ["load"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "load images from a docker-archive tar (docker save) or an OCI layout (directory or tar)",
    examples: [
      ["A docker save tarball", "husk image load -i busybox.tar"],
      ["The arm64 image of a multi-platform OCI archive", "husk image load --platform linux/arm64/v8 -i multi.tar"],
    ],
  });
  input = Option.String("--input,-i", { required: true, description: "archive file or OCI layout directory" });
  quiet = Option.Boolean("--quiet,-q", false);
  platform = Option.String("--platform", { description: "os/arch[/variant] to take from an index of several platforms (default: this host's)" });

  async run() {
    const loaded = await loadArchive(this.input, { dataRoot: this.dataRoot, root: process.getuid?.() === 0, platform: this.platform });
    for (const { record, names } of loaded) {
      if (this.quiet) continue;
      if (names.length) for (const n of names) this.context.stdout.write(`Loaded image: ${familiarReference(parseReference(n))}\n`);
      else this.context.stdout.write(`Loaded image ID: ${record.id}\n`);
    }
  }
}
