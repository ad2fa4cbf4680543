import { Command, Option } from "clipanion";
import { pullImage } from "../../image/pull.ts";
import { familiarReference, parseReference } from "../../image/reference.ts";
import { ImageCommand } from "./base.ts";
import { PullProgressPrinter } from "./progress.ts";

export class ImagePullCommand extends ImageCommand {
  static override paths = [["image", "pull"], ["pull"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "download an image from a registry and unpack its layers",
    examples: [
      ["From Docker Hub", "husk image pull busybox:1.36"],
      ["From a local registry, another platform", "husk image pull --platform linux/arm64/v8 127.0.0.1:5000/team/app:1"],
    ],
  });
  platform = Option.String("--platform", { description: "os/arch[/variant], default: this host's" });
  insecure = Option.Array("--insecure-registry", [], { description: "reach this registry over plain http (loopback ones always are)" });
  quiet = Option.Boolean("--quiet,-q", false, { description: "print only the image id" });
  ref = Option.String();

  async run() {
    const tty = !this.quiet && (this.context.stdout as NodeJS.WriteStream).isTTY === true;
    const progress = new PullProgressPrinter(this.context.stdout, tty, this.quiet);
    const record = await pullImage(this.ref, {
      dataRoot: this.dataRoot,
      platform: this.platform,
      insecure: this.insecure,
      root: process.getuid?.() === 0,
      onProgress: (ev) => progress.event(ev),
    });
    progress.finish();
    if (this.quiet) this.context.stdout.write(`${record.id}\n`);
    else this.context.stdout.write(`Pulled ${familiarReference(parseReference(this.ref))} (${record.id}, ${record.platform.os}/${record.platform.architecture}${record.platform.variant ? `/${record.platform.variant}` : ""})\n`);
  }
}
