import { readFileSync } from "node:fs";
import { Command, Option } from "clipanion";
import { cgroupPids } from "../../oci/ops/cgroup-cleanup.ts";
import { containerStatus } from "../../oci/ops/status.ts";
import { HuskError } from "../../runtime/errors.ts";
import { checkFormat } from "../table.ts";
import { OciCommand } from "./base.ts";

export class PsCommand extends OciCommand {
  static override paths = [["oci", "ps"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "list the processes of a container" });
  format = Option.String("--format,-f", "table", { description: "table or json" });
  id = Option.String();
  async run() {
    checkFormat(this.format);
    const store = this.store();
    const state = store.read(this.id);
    if (containerStatus(store, state) === "stopped") throw new HuskError(`container "${this.id}" is not running`);
    const pids = cgroupPids(state.cgroup).sort((a, b) => a - b);
    if (this.format === "json") {
      this.context.stdout.write(`${JSON.stringify(pids)}\n`);
      return;
    }
    this.context.stdout.write("PID     CMD\n");
    for (const pid of pids) {
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      } catch {}
      this.context.stdout.write(`${String(pid).padEnd(8)}${cmd}\n`);
    }
  }
}
