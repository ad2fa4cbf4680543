import { Command, Option } from "clipanion";
import { ContentStore } from "../../image/content-store.ts";
import { ImageStore } from "../../image/image-store.ts";
import { LayerStore } from "../../image/layer-store.ts";
import { dfSize } from "../../engine/disk-usage.ts";
import { parsePruneFilters, pruneContainers } from "../../engine/prune.ts";
import { listVolumes } from "../../engine/system-df.ts";
import { engineVolumeContext } from "../../engine/volumes.ts";
import { pruneVolumes } from "../../volume/manager.ts";
import { networkContext, pruneNetworks } from "../../network/manager.ts";
import { confirm } from "./confirm.ts";
import { EngineCommand } from "./base.ts";

export class SystemPruneCommand extends EngineCommand {
  static override paths = [["system", "prune"]];
  static override usage = Command.Usage({
    category: "System",
    description: "remove stopped containers, unused networks, dangling images (every unused one with -a) and, with --volumes, unused volumes",
    examples: [["Everything unused, without a question", "husk system prune -af --volumes"]],
  });
  all = Option.Boolean("-a,--all", false, { description: "every image no container uses, not only nameless ones" });
  force = Option.Boolean("-f,--force", false, { description: "do not ask for confirmation" });
  volumes = Option.Boolean("--volumes", false, { description: "also volumes no container uses" });
  filter = Option.Array("--filter", [], { description: "until=TIME|DURATION, label=KEY[=VALUE] (containers)" });

  async run() {
    const f = parsePruneFilters(this.filter);
    const what = [
      "all stopped containers",
      "all networks not used by at least one container",
      ...(this.volumes ? ["all anonymous volumes not used by at least one container"] : []),
      this.all ? "all images without at least one container associated to them" : "all dangling images",
    ];
    if (!this.force && !(await confirm(this.context, `This will remove:\n${what.map((w) => `  - ${w}`).join("\n")}\n`))) return 0;
    const out = this.context.stdout;
    const store = this.records();
    const c = await pruneContainers(store, f);
    if (c.deleted.length) out.write(`Deleted Containers:\n${c.deleted.map((id) => `${id}\n`).join("")}\n`);
    const nets = await pruneNetworks(networkContext(this.root, this.dataRoot));
    if (nets.length) out.write(`Deleted Networks:\n${nets.map((n) => `${n}\n`).join("")}\n`);
    let reclaimed = c.reclaimed;
    if (this.volumes) {
      // docker: anonymous volumes only; named ones go with `husk volume prune -a`.
      const sizes = new Map(listVolumes(store).map((v) => [v.name, v.size]));
      const gone = await pruneVolumes(engineVolumeContext(store.roots));
      reclaimed += gone.reduce((a, n) => a + (sizes.get(n) ?? 0), 0);
      if (gone.length) out.write(`Deleted Volumes:\n${gone.map((n) => `${n}\n`).join("")}\n`);
    }
    const usedBy = new Set(store.list().map((r) => r.image));
    const img = await new ImageStore(this.dataRoot).prune(new ContentStore(this.dataRoot), new LayerStore(this.dataRoot), { all: this.all, usedBy });
    if (img.untagged.length || img.deleted.length) {
      out.write("Deleted Images:\n");
      for (const n of img.untagged) out.write(`untagged: ${n}\n`);
      for (const id of img.deleted) out.write(`deleted: ${id}\n`);
      out.write("\n");
    }
    reclaimed += img.reclaimed;
    out.write(`Total reclaimed space: ${dfSize(reclaimed)}\n`);
  }
}
