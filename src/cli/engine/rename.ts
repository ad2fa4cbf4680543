import { Command, Option } from "clipanion";
import { recordEvent } from "../../engine/events.ts";
import { EngineCommand } from "./base.ts";

export class ContainerRenameCommand extends EngineCommand {
  static override paths = [["rename"], ["container", "rename"]];
  static override usage = Command.Usage({ category: "Containers", description: "give a container a new name" });
  ref = Option.String({ required: true });
  newName = Option.String({ required: true });

  async run() {
    const store = this.records();
    const rec = store.find(this.ref);
    const renamed = await store.rename(rec.id, this.newName);
    recordEvent(this.roots, "rename", rec.id, { name: renamed.name, oldName: rec.name });
  }
}
