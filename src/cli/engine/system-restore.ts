import { Command } from "clipanion";
import { restoreEngine } from "../../engine/restore.ts";
import { HuskError } from "../../runtime/errors.ts";
import { EngineCommand } from "./base.ts";

export class SystemRestoreCommand extends EngineCommand {
  static override paths = [["system", "restore"]];
  static override usage = Command.Usage({
    category: "System",
    description: "after a boot: mount container snapshots again and start the containers with restart policy always (or unless-stopped, when not stopped by the user); safe to run again",
    details: "Meant for a boot-time unit (packaging/). It prints the id of each container it started.",
    examples: [["At boot", "husk system restore"]],
  });

  async run() {
    const results = await restoreEngine(this.records());
    let failed = 0;
    for (const r of results) {
      if (r.action === "started") this.context.stdout.write(`${r.rec.id}\n`);
      if (r.error) {
        failed++;
        const msg = r.error instanceof HuskError ? r.error.render() : (r.error as Error).message;
        this.context.stderr.write(`husk: cannot restore container ${r.rec.name}: ${msg}\n`);
      }
    }
    return failed ? 1 : 0;
  }
}
