import { Command, Option } from "clipanion";
import { containersByImage, readContainerRefs } from "../../image/container-refs.ts";
import { HuskError } from "../../runtime/errors.ts";
import { ImageCommand } from "./base.ts";

export class ImageRmCommand extends ImageCommand {
  static override paths = [["image", "rm"], ["image", "remove"], ["rmi"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "remove image names; an image goes with its last name, with the blobs and layers no other image uses",
    details: "An image that a container uses is kept: without --force the command refuses; with --force its names go and the image stays, nameless, until no container uses it.",
    examples: [
      ["Drop one name", "husk image rm busybox:1.36"],
      ["Drop every name of an image by id", "husk image rm --force 3f57d9401f8d"],
    ],
  });
  force = Option.Boolean("--force,-f", false, { description: "drop names even when containers use the image, or when it has names in several repositories" });
  refs = Option.Rest({ required: 1 });

  async run() {
    const refs = readContainerRefs(this.dataRoot);
    if (refs.unreadable.length && !this.force)
      throw new HuskError(`cannot tell which images containers use: unreadable record ${refs.unreadable[0]}`, "repair or remove that container, or use --force");
    const users = containersByImage(refs);
    let failed = 0;
    for (const ref of this.refs) {
      try {
        const id = this.images().resolve(ref).id;
        const r = await this.images().remove(ref, this.content(), this.layers(), { force: this.force, users: users.get(id) ?? [] });
        for (const n of r.untagged) this.context.stdout.write(`Untagged: ${n}\n`);
        if (r.deleted) this.context.stdout.write(`Deleted: ${r.deleted}\n`);
      } catch (e) {
        // docker goes on with the other names and fails at the end.
        if (this.refs.length === 1) throw e;
        this.reportOne(e);
        failed++;
      }
    }
    return failed ? 1 : 0;
  }
}
