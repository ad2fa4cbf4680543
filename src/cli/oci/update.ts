import { readFileSync } from "node:fs";
import { Command, Option } from "clipanion";
import { type ResourceUpdate, updateResources } from "../../oci/ops/cgroup-control.ts";
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
    const u: ResourceUpdate = {};
    if (this.resources) {
      const text = this.resources === "-" ? readFileSync(0, "utf8") : readFileSync(this.resources, "utf8");
      const r = JSON.parse(text) as LinuxResources;
      u.memory = r.memory?.limit;
      u.memorySwap = r.memory?.swap;
      u.cpuShares = r.cpu?.shares;
      u.cpuQuota = r.cpu?.quota;
      u.cpuPeriod = r.cpu?.period;
      u.cpusetCpus = r.cpu?.cpus;
      u.cpusetMems = r.cpu?.mems;
      u.pidsLimit = r.pids?.limit;
    }
    u.memory = bytes("--memory", this.memory) ?? u.memory;
    u.memorySwap = bytes("--memory-swap", this.memorySwap) ?? u.memorySwap;
    u.cpuShares = intOption("--cpu-shares", this.cpuShares) ?? u.cpuShares;
    u.cpuQuota = intOption("--cpu-quota", this.cpuQuota) ?? u.cpuQuota;
    u.cpuPeriod = intOption("--cpu-period", this.cpuPeriod) ?? u.cpuPeriod;
    u.cpusetCpus = this.cpusetCpus ?? u.cpusetCpus;
    u.cpusetMems = this.cpusetMems ?? u.cpusetMems;
    u.pidsLimit = intOption("--pids-limit", this.pidsLimit) ?? u.pidsLimit;
    const store = this.store();
    await store.withLock(this.id, () => updateResources(store.read(this.id), u));
  }
}
