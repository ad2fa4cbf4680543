import { Command, Option } from "clipanion";
import { renderGoTemplate } from "../../engine/go-template.ts";
import { infoText, systemInfo } from "../../engine/system-info.ts";
import { networkContext } from "../../network/manager.ts";
import { EngineCommand } from "./base.ts";

export class SystemInfoCommand extends EngineCommand {
  static override paths = [["system", "info"], ["info"]];
  static override usage = Command.Usage({
    category: "System",
    description: "show husk's version, the kernel, cgroup mode, storage driver, directories, container and image counts, security options and plugins",
    examples: [["As JSON", "husk info --format json"], ["One field", "husk info --format '{{.CgroupVersion}}'"]],
  });
  format = Option.String("-f,--format", { description: "json, or a template such as '{{.Driver}}'" });

  async run() {
    let networks: string[] = [];
    try {
      networks = (await networkContext(this.root, this.dataRoot).registry.list()).filter((e) => e.manifest.kind === "network").map((e) => e.manifest.name);
    } catch {}
    const info = systemInfo(this.records(), networks);
    const out = this.context.stdout;
    if (!this.format) out.write(infoText(info));
    else if (this.format === "json") out.write(`${JSON.stringify(info)}\n`);
    else out.write(`${renderGoTemplate(this.format, info)}\n`);
  }
}
