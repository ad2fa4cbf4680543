import { Command, Option } from "clipanion";
import { credentialsSource } from "../../image/auth-file.ts";
import { pullImage } from "../../image/pull.ts";
import { pullEndpoints, registriesConfig } from "../../image/registries-config.ts";
import { familiarReference, parseReference } from "../../image/reference.ts";
import { HuskError } from "../../runtime/errors.ts";
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
  mirrors = Option.Array("--registry-mirror", [], { description: "try this mirror first: HOST (mirrors Docker Hub) or REGISTRY=HOST; adds to registries.json" });
  creds = Option.String("--creds", { description: "USER:PASSWORD for the image's registry (instead of the auth file)" });
  authfile = Option.String("--authfile", { description: "auth file (default $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, ~/.docker/config.json)" });
  allPlatforms = Option.Boolean("--all-platforms", false, { description: "also fetch every other platform of a multi-arch image (to push it on)" });
  quiet = Option.Boolean("--quiet,-q", false, { description: "print only the image id" });
  ref = Option.String();

  async run() {
    const tty = !this.quiet && (this.context.stdout as NodeJS.WriteStream).isTTY === true;
    const progress = new PullProgressPrinter(this.context.stdout, tty, this.quiet);
    const registry = parseReference(this.ref).registry;
    const conf = registriesConfig({ mirrors: this.mirrors, insecure: this.insecure });
    const record = await pullImage(this.ref, {
      dataRoot: this.dataRoot,
      platform: this.platform,
      insecure: conf.insecure,
      mirrors: pullEndpoints(conf, registry).slice(0, -1),
      credentials: credentialsSource({ authfile: this.authfile, creds: this.creds, registry }),
      allPlatforms: this.allPlatforms,
      onMirrorError: (mirror, e) => this.context.stderr.write(`husk: warning: mirror ${mirror}: ${e instanceof HuskError ? e.render() : (e as Error).message}; trying the next\n`),
      root: process.getuid?.() === 0,
      onProgress: (ev) => progress.event(ev),
    });
    progress.finish();
    if (this.quiet) this.context.stdout.write(`${record.id}\n`);
    else this.context.stdout.write(`Pulled ${familiarReference(parseReference(this.ref))} (${record.id}, ${record.platform.os}/${record.platform.architecture}${record.platform.variant ? `/${record.platform.variant}` : ""})\n`);
  }
}
