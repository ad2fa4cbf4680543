import { readFileSync } from "node:fs";
import { Command, Option } from "clipanion";
import { updateResources } from "../../oci/ops/cgroup-control.ts";
import { parseJson } from "../../oci/validate/json.ts";
import type { LinuxResources } from "../../oci/spec.ts";
import { HuskError } from "../../runtime/errors.ts";
import { intOption, OciCommand } from "./base.ts";

function bytes(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(-?\d+)([kmgKMG]?)[bB]?$/.exec(text);
  if (!m) throw new HuskError(`${name} "${text}": expected a size such as 512m or 1073741824`);
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? "").toLowerCase()] ?? 1;
  return Number(m[1]) * mult;
}

export class UpdateCommand extends OciCommand {
  static override paths = [["oci", "update"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "change the resource limits of a running container" });
  resources = Option.String("--resources,-r", { description: "a linux.resources JSON file ('-' for stdin)" });
  memory = Option.String("--memory");
  memorySwap = Option.String("--memory-swap");
  cpuShares = Option.String("--cpu-shares");
  cpuQuota = Option.String("--cpu-quota");
  cpuPeriod = Option.String("--cpu-period");
  cpusetCpus = Option.String("--cpuset-cpus");
  cpusetMems = Option.String("--cpuset-mems");
  pidsLimit = Option.String("--pids-limit");
  id = Option.String();

  async run() {
    let r: LinuxResources = {};
    if (this.resources) {
      const text = this.resources === "-" ? readFileSync(0, "utf8") : readFileSync(this.resources, "utf8");
      r = parseJson(text, this.resources === "-" ? "stdin" : this.resources) as LinuxResources;
    }
    const memory = { ...r.memory };
    const cpu = { ...r.cpu };
    memory.limit = bytes("--memory", this.memory) ?? memory.limit;
    memory.swap = bytes("--memory-swap", this.memorySwap) ?? memory.swap;
    cpu.shares = intOption("--cpu-shares", this.cpuShares) ?? cpu.shares;
    cpu.quota = intOption("--cpu-quota", this.cpuQuota) ?? cpu.quota;
    cpu.period = intOption("--cpu-period", this.cpuPeriod) ?? cpu.period;
    cpu.cpus = this.cpusetCpus ?? cpu.cpus;
    cpu.mems = this.cpusetMems ?? cpu.mems;
    const pidsLimit = intOption("--pids-limit", this.pidsLimit) ?? r.pids?.limit;
    const defined = <T extends object>(o: T) => (Object.values(o).some((v) => v !== undefined) ? o : undefined);
    const update: LinuxResources = { ...r, memory: defined(memory), cpu: defined(cpu), pids: pidsLimit === undefined ? undefined : { limit: pidsLimit } };
    const store = this.store();
    await store.withLock(this.id, () => updateResources(store.read(this.id), update));
  }
}
