import { Command } from "clipanion";
import { runtimeFeatures } from "../../oci/features.ts";
import { addon } from "../../native/addon.ts";
import { OciCommand } from "./base.ts";

export class FeaturesCommand extends OciCommand {
  static override paths = [["oci", "features"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "print the runtime-spec features JSON" });
  async run() {
    const f = addon().features();
    this.context.stdout.write(`${JSON.stringify(runtimeFeatures({ seccompAvailable: f.seccomp, idmapMounts: f.newMountApi }), null, 2)}\n`);
  }
}
