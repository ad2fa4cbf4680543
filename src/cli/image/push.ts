import { Command, Option } from "clipanion";
import { credentialsSource } from "../../image/auth-file.ts";
import { pushImage } from "../../image/push.ts";
import { familiarReference, parseReference } from "../../image/reference.ts";
import { registriesConfig } from "../../image/registries-config.ts";
import { ImageCommand } from "./base.ts";
import { PullProgressPrinter } from "./progress.ts";

export class ImagePushCommand extends ImageCommand {
  static override paths = [["image", "push"], ["push"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "upload an image of the store to a registry (only the blobs it lacks) and print the pushed digest",
    details: "An image pulled with --all-platforms goes up as its whole index. Mirrors are never pushed to.",
    examples: [
      ["Under its own name", "husk image push 127.0.0.1:5000/team/app:1"],
      ["Under another name", "husk push busybox:latest 127.0.0.1:5000/tools/busybox:1"],
    ],
  });
  insecure = Option.Array("--insecure-registry", [], { description: "reach this registry over plain http (loopback ones always are)" });
  creds = Option.String("--creds", { description: "USER:PASSWORD for the destination registry (instead of the auth file)" });
  authfile = Option.String("--authfile", { description: "auth file (default $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, ~/.docker/config.json)" });
  quiet = Option.Boolean("--quiet,-q", false, { description: "print only the pushed digest" });
  source = Option.String();
  dest = Option.String({ required: false });

  async run() {
    const tty = !this.quiet && (this.context.stdout as NodeJS.WriteStream).isTTY === true;
    const progress = new PullProgressPrinter(this.context.stdout, tty, this.quiet);
    const conf = registriesConfig({ insecure: this.insecure });
    // Only for --creds; a bad reference is reported by pushImage with its own message.
    let registry: string | undefined;
    try {
      registry = parseReference(this.dest ?? this.source).registry;
    } catch {}
    const r = await pushImage(this.source, this.dest, {
      dataRoot: this.dataRoot,
      insecure: conf.insecure,
      credentials: credentialsSource({ authfile: this.authfile, creds: this.creds, registry }),
      onProgress: (ev) => progress.event(ev),
    });
    progress.finish();
    if (this.quiet) this.context.stdout.write(`${r.digest}\n`);
    else {
      if (r.platforms.length) this.context.stdout.write(`Pushed an index of ${r.platforms.length} platforms: ${r.platforms.join(", ")}\n`);
      this.context.stdout.write(`${familiarReference(parseReference(r.ref))}: digest: ${r.digest} size: ${r.size}\n`);
    }
  }
}
