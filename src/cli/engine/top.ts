import { Command, Option } from "clipanion";
import { currentState } from "../../engine/container-state.ts";
import { DEFAULT_TITLES, defaultRow, filterPsOutput, hostTopContext, type ProcInfo, readProc, renderColumns } from "../../engine/top.ts";
import { cgroupPids } from "../../oci/ops/cgroup-cleanup.ts";
import { HuskError } from "../../runtime/errors.ts";
import { EngineCommand } from "./base.ts";

export class ContainerTopCommand extends EngineCommand {
  static override paths = [["top"], ["container", "top"]];
  static override usage = Command.Usage({
    category: "Containers",
    description: "show the processes of a running container (docker's ps -ef columns, or the host ps with the options given)",
    examples: [["Default columns", "husk top web"], ["Chosen columns", "husk top web -o pid,user,args"]],
  });
  ref = Option.String({ required: true });
  psArgs = Option.Proxy();

  async run() {
    const store = this.records();
    const rec = store.find(this.ref);
    const live = currentState(rec, store.paths(rec.id));
    if (!live.running) throw new HuskError(`container ${rec.name} is not running`, `start it first ('husk start ${rec.name}')`);
    const pids = new Set(rec.cgroup ? cgroupPids(rec.cgroup) : []);
    pids.add(live.pid);
    if (this.psArgs.length === 0) {
      const ctx = hostTopContext();
      const procs = [...pids].sort((a, b) => a - b).map((p) => readProc(p)).filter((p): p is ProcInfo => p !== undefined);
      this.context.stdout.write(renderColumns(DEFAULT_TITLES, procs.map((p) => defaultRow(p, ctx))));
      return;
    }
    // As docker: the host's ps with the user's options, filtered to the container's pids.
    const ps = Bun.spawnSync(["ps", ...this.psArgs], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    if (ps.exitCode !== 0) throw new HuskError(`ps ${this.psArgs.join(" ")} failed: ${ps.stderr.toString().trim().split("\n")[0]}`, "see 'man ps' for its options");
    const { titles, rows } = filterPsOutput(ps.stdout.toString(), pids);
    this.context.stdout.write(renderColumns(titles, rows));
  }
}
