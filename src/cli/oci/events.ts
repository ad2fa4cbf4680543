import { Command, Option } from "clipanion";
import { containerStats } from "../../oci/ops/cgroup-control.ts";
import { containerStatus } from "../../oci/ops/status.ts";
import { HuskError } from "../../runtime/errors.ts";
import { OciCommand } from "./base.ts";

export class EventsCommand extends OciCommand {
  static override paths = [["oci", "events"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "print container stats (once with --stats, else every --interval)" });
  stats = Option.Boolean("--stats", false, { description: "print one stats event and exit" });
  interval = Option.String("--interval", "5s", { description: "interval between stats, e.g. 5s or 500ms" });
  id = Option.String();
  async run() {
    const m = /^(\d+)(ms|s|m)?$/.exec(this.interval);
    if (!m) throw new HuskError(`--interval "${this.interval}": expected a duration such as 5s or 500ms`);
    const ms = Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60000 : 1000);
    if (ms <= 0) throw new HuskError(`--interval "${this.interval}": must be positive`);
    const store = this.store();
    for (;;) {
      const state = store.read(this.id);
      if (containerStatus(store, state) === "stopped") {
        if (this.stats) throw new HuskError(`container "${this.id}" is not running`);
        return 0;
      }
      this.context.stdout.write(`${JSON.stringify({ type: "stats", id: this.id, data: containerStats(state) })}\n`);
      if (this.stats) return 0;
      await Bun.sleep(ms);
    }
  }
}
