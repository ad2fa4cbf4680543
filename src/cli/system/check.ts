// husk system check: for this kernel, what husk needs and what is present, with the fix
// for each missing feature. Exit 1 when a required one is missing.
import { Command, Option } from "clipanion";
import { checkExitCode, hostChecks, renderChecks } from "./host-checks.ts";
import { gatherHostFacts } from "./host-facts.ts";

export class SystemCheckCommand extends Command {
  static override paths = [["system", "check"]];
  static override usage = Command.Usage({
    description: "say which kernel features husk needs, which this host has, and how to fix what is missing",
    examples: [["Check this host", "husk system check"], ["As JSON", "husk system check --format json"]],
  });
  format = Option.String("--format", "text", { description: "text or json" });

  async execute(): Promise<number> {
    if (this.format !== "text" && this.format !== "json") {
      this.context.stderr.write(`husk: --format must be text or json, not "${this.format}" (hint: see 'husk system check --help')\n`);
      return 125;
    }
    const facts = gatherHostFacts();
    const items = hostChecks(facts);
    const code = checkExitCode(items);
    if (this.format === "json") {
      this.context.stdout.write(`${JSON.stringify({ kernel: facts.kernel, arch: facts.arch, ok: code === 0, checks: items }, null, 2)}\n`);
    } else {
      this.context.stdout.write(renderChecks(facts, items));
    }
    return code;
  }
}
