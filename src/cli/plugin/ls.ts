import { Command, Option } from "clipanion";
import { checkFormat, printTable } from "../table.ts";
import { PluginBaseCommand } from "./base.ts";

export class PluginLsCommand extends PluginBaseCommand {
  static override paths = [["plugin", "ls"], ["plugin", "list"]];
  static override usage = Command.Usage({
    category: "Plugins",
    description: "list network and volume plugins: bundled ones, then /etc/husk/plugins and $HUSK_PLUGIN_PATH",
  });
  format = Option.String("--format", "table", { description: "table or json" });

  async run() {
    const format = checkFormat(this.format);
    const reg = this.registry();
    const entries = await reg.list();
    const out = this.context.stdout;
    if (format === "json") {
      out.write(`${JSON.stringify({ plugins: entries.map((e) => ({ ...e.manifest, source: e.source })), problems: reg.problems.map((p) => ({ source: p.source, error: p.error.message })) })}\n`);
    } else {
      printTable(out, [["NAME", "KIND", "API", "SOURCE"], ...entries.map((e) => [e.manifest.name, e.manifest.kind, e.manifest.apiVersion, e.source])]);
    }
    // A plugin that fails to load is not fatal for the others, but is never silent.
    for (const p of reg.problems) this.context.stderr.write(`husk: warning: ${p.error instanceof Error && "render" in p.error ? (p.error as { render(): string }).render() : p.error.message}\n`);
  }
}
