import { Command, Option } from "clipanion";
import { currentState } from "../../engine/container-state.ts";
import { renderGoTemplate } from "../../engine/go-template.ts";
import type { ContainerRecord } from "../../engine/record.ts";
import { sampleStats, type StatsRow, type StatsSample, statsRow, statsTable } from "../../engine/stats.ts";
import { EngineCommand } from "./base.ts";

export class ContainerStatsCommand extends EngineCommand {
  static override paths = [["stats"], ["container", "stats"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "show CPU, memory, network, block I/O and pids of containers, from their cgroups (v1 or v2), refreshed every second",
    examples: [["One sample of every running container", "husk stats --no-stream"], ["As JSON lines", "husk stats --no-stream --format json web"]],
  });
  all = Option.Boolean("-a,--all", false, { description: "also containers that are not running" });
  noStream = Option.Boolean("--no-stream", false, { description: "print one sample and exit" });
  format = Option.String("--format", { description: "table (default), json, or a template such as '{{.Name}} {{.CPUPerc}}'" });
  noTrunc = Option.Boolean("--no-trunc", false, { description: "full ids" });
  refs = Option.Rest();

  private targets(): { rec: ContainerRecord; ref: string }[] {
    const store = this.records();
    if (this.refs.length) return this.refs.map((ref) => ({ rec: store.find(ref), ref }));
    return store
      .list()
      .filter((rec) => this.all || currentState(rec, store.paths(rec.id)).running)
      .map((rec) => ({ rec, ref: rec.id.slice(0, 12) }));
  }

  private sampleAll(targets: { rec: ContainerRecord; ref: string }[]) {
    const store = this.records();
    return targets.map(({ rec, ref }) => {
      const live = currentState(rec, store.paths(rec.id));
      return { rec, ref, running: live.running, sample: live.running ? sampleStats(rec, live.pid) : undefined };
    });
  }

  private render(rows: StatsRow[]): string {
    if (this.noTrunc) for (const r of rows) r.ID = this.records().find(r.ID).id;
    if (!this.format || this.format === "table") return statsTable(rows);
    if (this.format === "json") return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
    return rows.map((r) => `${renderGoTemplate(this.format!.replace(/^table\s+/, ""), r)}\n`).join("");
  }

  async run() {
    const targets = this.targets();
    let prev = new Map<string, StatsSample>();
    // CPU % needs two samples: the first row set comes after a short first interval.
    for (const s of this.sampleAll(targets)) if (s.sample) prev.set(s.rec.id, s.sample);
    let interval = 500;
    for (;;) {
      await Bun.sleep(interval);
      interval = 1000;
      const cur = this.sampleAll(targets);
      const rows = cur.map((s) => statsRow(s.rec, s.sample ?? { at: 0, cpuNs: 0, memUsage: 0, memLimit: 0, netRx: 0, netTx: 0, blkRead: 0, blkWrite: 0, pids: 0 }, prev.get(s.rec.id), s.ref, s.running));
      const text = this.render(rows);
      if (this.noStream) {
        this.context.stdout.write(text);
        return;
      }
      // Streaming: redraw in place as docker does.
      this.context.stdout.write(`\x1b[2J\x1b[H${text}`);
      prev = new Map(cur.filter((s) => s.sample).map((s) => [s.rec.id, s.sample!]));
    }
  }
}
