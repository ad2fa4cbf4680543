import { Command, Option } from "clipanion";
import { ImageCommand } from "./base.ts";

export class ImageInspectCommand extends ImageCommand {
  static override paths = [["image", "inspect"]];
  static override usage = Command.Usage({ category: "Images", description: "print an image's record and config as JSON" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const out = this.refs.map((ref) => {
      const record = this.images().resolve(ref);
      return { ...record, config: JSON.parse(this.content().read(record.id).toString()) };
    });
    this.context.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  }
}
