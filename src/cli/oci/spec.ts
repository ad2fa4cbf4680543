import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, Option } from "clipanion";
import { defaultSpec } from "../../oci/default-spec.ts";
import { HuskError } from "../../runtime/errors.ts";
import { OciCommand } from "./base.ts";

export class SpecCommand extends OciCommand {
  static override paths = [["oci", "spec"]];
  static override usage = Command.Usage({
    category: "OCI runtime",
    description: "write a default config.json into the bundle directory",
    examples: [["In ./bundle", "husk oci spec --bundle ./bundle"]],
  });
  bundle = Option.String("--bundle,-b", { description: "where to write config.json (default: current directory)" });
  specRootless = Option.Boolean("--rootless", false, { description: "a spec for an unprivileged user (user namespace)" });
  async run() {
    const path = resolve(this.bundle ?? ".", "config.json");
    if (existsSync(path)) throw new HuskError(`${path} already exists`, "remove it first");
    writeFileSync(path, `${JSON.stringify(defaultSpec({ rootless: this.specRootless }), null, "\t")}\n`);
  }
}
