import { Command, Option } from "clipanion";
import { currentState } from "../../engine/container-state.ts";
import { applyFilters, parseFilters, psFields, renderTable, renderTemplate } from "../../engine/ps-view.ts";
import { EngineCommand } from "./base.ts";

export class ContainerPsCommand extends EngineCommand {
  static override paths = [["ps"], ["container", "ls"], ["container", "list"], ["container", "ps"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "list containers (running ones, or all with -a); state is read from the monitors and /proc each time",
    examples: [["Exited ones, ids only", "husk ps -aq --filter status=exited"], ["As JSON lines", "husk ps --format json"]],
  });
  all = Option.Boolean("-a,--all", false, { description: "also containers that are not running" });
  quiet = Option.Boolean("-q,--quiet", false, { description: "only ids" });
  filter = Option.Array("-f,--filter", [], { description: "KEY=VALUE: id, name, status, label, ancestor, exited" });
  format = Option.String("--format", { description: "table (default), json, or a template such as '{{.ID}} {{.Names}}'" });
  noTrunc = Option.Boolean("--no-trunc", false, { description: "full ids and commands" });
  last = Option.String("-n,--last", { description: "the N most recently created" });

  async run() {
    const filters = parseFilters(this.filter);
    const store = this.records();
    let rows = store.list().map((rec) => ({ rec, live: currentState(rec, store.paths(rec.id)) }));
    const showAll = this.all || filters.some(([k]) => k === "status" || k === "exited") || this.last !== undefined;
    if (!showAll) rows = rows.filter((r) => r.live.running || r.live.status === "paused" || r.live.status === "restarting");
    rows = applyFilters(rows, filters);
    if (this.last !== undefined) rows = rows.slice(0, Number(this.last));
    const out = this.context.stdout;
    if (this.quiet) {
      for (const r of rows) out.write(`${this.noTrunc ? r.rec.id : r.rec.id.slice(0, 12)}\n`);
      return;
    }
    const fields = rows.map((r) => psFields(r, this.noTrunc));
    if (!this.format || this.format === "table") out.write(renderTable(fields));
    else if (this.format === "json") for (const f of fields) out.write(`${JSON.stringify(f)}\n`);
    else for (const f of fields) out.write(`${renderTemplate(this.format.replace(/^table\s+/, ""), f)}\n`);
  }
}
