import { Command, Option } from "clipanion";
import { importRootfs } from "../../image/archive/import.ts";
import { ImageCommand } from "./base.ts";

export class ImageImportCommand extends ImageCommand {
  static override paths = [["image", "import"], ["import"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "make a one-layer image from a rootfs tarball (tar, tar.gz or tar.zst; - reads stdin)",
    examples: [
      ["Name it and set its command", "husk image import --change 'CMD [\"/bin/sh\"]' rootfs.tar myimage:1"],
      ["From stdin", "tar -C rootfs -c . | husk image import -m 'hand made' - myimage"],
    ],
  });
  changes = Option.Array("--change,-c", [], { description: "a Dockerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL" });
  message = Option.String("--message,-m", { description: "the history comment" });
  source = Option.String();
  ref = Option.String({ required: false });

  async run() {
    const record = await importRootfs(this.source, this.ref, {
      dataRoot: this.dataRoot,
      root: process.getuid?.() === 0,
      changes: this.changes,
      message: this.message,
      stdin: this.context.stdin as unknown as AsyncIterable<Uint8Array>,
    });
    this.context.stdout.write(`${record.id}\n`);
  }
}
