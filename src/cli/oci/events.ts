import { Command, Option } from "clipanion";
import { containerStats, oomKills } from "../../oci/ops/cgroup-control.ts";
import { containerStatus } from "../../oci/ops/status.ts";
import { HuskError } from "../../runtime/errors.ts";
import { OciCommand } from "./base.ts";

/** How often OOM kills are looked for between two stats lines. */
const OOM_POLL_MS = 200;

export class EventsCommand extends OciCommand {
  static override paths = [["oci", "events"]];
  static override usage = Command.Usage({
    category: "OCI runtime",
    description: "print container events: stats every --interval, and an `oom` line when the OOM killer strikes (once with --stats)",
  });
  stats = Option.Boolean("--stats", false, { description: "print one stats event and exit" });
  interval = Option.String("--interval", "5s", { description: "interval between stats, e.g. 5s or 500ms" });
  id = Option.String();

  private line(type: string, data?: unknown): void {
    this.context.stdout.write(`${JSON.stringify(data === undefined ? { type, id: this.id } : { type, id: this.id, data })}\n`);
  }

  async run() {
    const m = /^(\d+)(ms|s|m)?$/.exec(this.interval);
    if (!m) throw new HuskError(`--interval "${this.interval}": expected a duration such as 5s or 500ms`);
    const ms = Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60000 : 1000);
    if (ms <= 0) throw new HuskError(`--interval "${this.interval}": must be positive`);
    const store = this.store();
    let ooms = -1;
    let nextStats = 0;
    for (;;) {
      const state = store.read(this.id);
      const stopped = containerStatus(store, state) === "stopped";
      if (this.stats) {
        if (stopped) throw new HuskError(`container "${this.id}" is not running`);
        this.line("stats", containerStats(state));
        return 0;
      }
      // Reported even when the kill is what ended the container.
      const now = oomKills(state);
      if (ooms >= 0 && now > ooms) this.line("oom");
      ooms = now;
      if (stopped) return 0;
      if (Date.now() >= nextStats) {
        this.line("stats", containerStats(state));
        nextStats = Date.now() + ms;
      }
      await Bun.sleep(Math.min(OOM_POLL_MS, ms));
    }
  }
}
