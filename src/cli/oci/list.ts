import { Command, Option } from "clipanion";
import { stateJson } from "../../oci/ops/status.ts";
import { checkFormat, printTable } from "../table.ts";
import { OciCommand } from "./base.ts";

export class ListCommand extends OciCommand {
  static override paths = [["oci", "list"], ["oci", "ls"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "list containers under --root" });
  format = Option.String("--format,-f", "table", { description: "table or json" });
  quiet = Option.Boolean("--quiet,-q", false, { description: "only ids" });
  async run() {
    checkFormat(this.format);
    const store = this.store();
    const states = [];
    for (const id of store.list()) {
      try {
        states.push(stateJson(store, store.read(id)));
      } catch {}
    }
    const out = this.context.stdout;
    if (this.quiet) {
      for (const s of states) out.write(`${s.id}\n`);
    } else if (this.format === "json") {
      out.write(`${JSON.stringify(states)}\n`);
    } else {
      const rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"], ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner || "root"])];
      printTable(out, rows);
    }
  }
}
