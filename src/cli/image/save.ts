import { isatty } from "node:tty";
import { Command, Option } from "clipanion";
import { SAVE_FORMATS, type SaveFormat, saveImages } from "../../image/archive/save.ts";
import { HuskError } from "../../runtime/errors.ts";
import { ImageCommand } from "./base.ts";

export class ImageSaveCommand extends ImageCommand {
  static override paths = [["image", "save"], ["save"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "write images to a docker-archive tar (default), an OCI archive or an OCI layout directory",
    examples: [
      ["A docker save tarball", "husk image save -o busybox.tar busybox"],
      ["An OCI layout directory", "husk image save --format oci-dir -o ./layout busybox:latest alpine:3"],
    ],
  });
  output = Option.String("--output,-o", { description: "file (or directory for oci-dir); default: stdout when it is not a terminal" });
  format = Option.String("--format", "docker-archive", { description: "docker-archive, oci-archive or oci-dir" });
  refs = Option.Rest({ required: 1 });

  async run() {
    if (!SAVE_FORMATS.includes(this.format as SaveFormat)) throw new HuskError(`--format "${this.format}": expected ${SAVE_FORMATS.join(", ")}`);
    const out = this.output ?? "-";
    if (out === "-" && isatty(1))
      throw new HuskError("refusing to write an archive to a terminal", "use -o FILE or redirect stdout");
    await saveImages(this.refs, out, { dataRoot: this.dataRoot, format: this.format as SaveFormat });
  }
}
