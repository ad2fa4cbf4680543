import { Command, Option } from "clipanion";
import { ImageCommand } from "./base.ts";

export class ImageRmCommand extends ImageCommand {
  static override paths = [["image", "rm"], ["rmi"]];
  static override usage = Command.Usage({ category: "Images", description: "remove image names; an image goes with its last name, with the blobs and layers no other image uses" });
  refs = Option.Rest({ required: 1 });

  async run() {
    for (const ref of this.refs) {
      const r = await this.images().remove(ref, this.content(), this.layers());
      for (const n of r.untagged) this.context.stdout.write(`Untagged: ${n}\n`);
      if (r.deleted) this.context.stdout.write(`Deleted: ${r.deleted}\n`);
    }
  }
}
