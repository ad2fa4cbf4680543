import { Command, Option } from "clipanion";
import { PLUGIN_API_VERSION } from "../../plugin/api.ts";
import { PluginBaseCommand } from "./base.ts";

export class PluginInspectCommand extends PluginBaseCommand {
  static override paths = [["plugin", "inspect"]];
  static override usage = Command.Usage({ category: "Plugins", description: "print a plugin's manifest and where it was loaded from, as JSON" });
  names = Option.Rest({ required: 1 });

  async run() {
    const out = [];
    for (const name of this.names) {
      const e = await this.registry().find(name);
      out.push({ ...e.manifest, source: e.source, hostApiVersion: PLUGIN_API_VERSION });
    }
    this.context.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  }
}
