import { Command, Option } from "clipanion";
import { setFrozen } from "../../oci/ops/cgroup-control.ts";
import { containerStatus } from "../../oci/ops/status.ts";
import { HuskError } from "../../runtime/errors.ts";
import { OciCommand } from "./base.ts";

abstract class FreezeCommand extends OciCommand {
  id = Option.String();
  protected async freeze(frozen: boolean) {
    const store = this.store();
    await store.withLock(this.id, () => {
      const state = store.read(this.id);
      const status = containerStatus(store, state);
      const want = frozen ? "running" : "paused";
      if (status !== want) throw new HuskError(`cannot ${frozen ? "pause" : "resume"} container "${this.id}": it is ${status}`);
      setFrozen(state, frozen);
    });
  }
}

export class PauseCommand extends FreezeCommand {
  static override paths = [["oci", "pause"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "freeze every process of a container" });
  async run() {
    await this.freeze(true);
  }
}

export class ResumeCommand extends FreezeCommand {
  static override paths = [["oci", "resume"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "thaw a paused container" });
  async run() {
    await this.freeze(false);
  }
}
