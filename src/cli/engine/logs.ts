import { Command, Option } from "clipanion";
import { currentState } from "../../engine/container-state.ts";
import { followLogs, formatLine, type LogLine, readLogs } from "../../engine/logs.ts";
import { HuskError } from "../../runtime/errors.ts";
import { EngineCommand } from "./base.ts";

/** docker's --since: an RFC 3339 time, a Unix time, or a duration back from now (10m, 1h30m). */
export function parseSince(text: string, now = Date.now()): Date {
  if (/^\d+(\.\d+)?$/.test(text)) return new Date(Number(text) * 1000);
  const d = /^((\d+)h)?((\d+)m)?((\d+)s)?$/.exec(text);
  if (d && text) return new Date(now - ((Number(d[2] ?? 0) * 60 + Number(d[4] ?? 0)) * 60 + Number(d[6] ?? 0)) * 1000);
  const t = new Date(text);
  if (Number.isNaN(t.getTime())) throw new HuskError(`invalid value "${text}" for --since: expected a time (2024-01-02T15:04:05Z), a Unix time or a duration (10m)`);
  return t;
}

export class ContainerLogsCommand extends EngineCommand {
  static override paths = [["logs"], ["container", "logs"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "print a container's output (stdout to stdout, stderr to stderr) from its log files",
    examples: [["Follow the last 10 lines", "husk logs -f --tail 10 web"], ["With times, from 5 minutes ago", "husk logs -t --since 5m web"]],
  });
  follow = Option.Boolean("-f,--follow", false, { description: "keep printing new output until the container ends" });
  since = Option.String("--since", { description: "from this time or duration ago" });
  tail = Option.String("-n,--tail", { description: "only the last N lines ('all' for every line)" });
  timestamps = Option.Boolean("-t,--timestamps", false, { description: "prefix each line with its time" });
  ref = Option.String({ required: true });

  async run() {
    const store = this.records();
    const rec = store.find(this.ref);
    const paths = store.paths(rec.id);
    if (this.tail !== undefined && this.tail !== "all" && !/^\d+$/.test(this.tail))
      throw new HuskError(`invalid value "${this.tail}" for --tail: expected a number or 'all'`);
    const opts = { since: this.since === undefined ? undefined : parseSince(this.since), tail: this.tail === undefined || this.tail === "all" ? undefined : Number(this.tail) };
    const out = (l: LogLine) => (l.stream === "stderr" ? this.context.stderr : this.context.stdout).write(formatLine(l, this.timestamps));
    if (!this.follow) {
      for (const l of readLogs(paths.log, opts)) out(l);
      return;
    }
    // Follow until the monitor is gone (the container is done for good).
    await followLogs(paths.log, { ...opts, done: () => !currentState(rec, paths).monitored }, out);
  }
}
