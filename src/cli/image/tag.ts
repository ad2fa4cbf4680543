import { Command, Option } from "clipanion";
import { ImageCommand } from "./base.ts";

export class ImageTagCommand extends ImageCommand {
  static override paths = [["image", "tag"], ["tag"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "give an image another name",
    details: "SOURCE is a name or an id (prefix); TARGET is [registry/]name[:tag]. A TARGET that named another image moves to this one.",
    examples: [["Name a local build for a registry", "husk image tag busybox:latest 127.0.0.1:5000/team/busybox:1"]],
  });
  source = Option.String();
  target = Option.String();

  async run() {
    await this.images().tag(this.source, this.target);
  }
}
