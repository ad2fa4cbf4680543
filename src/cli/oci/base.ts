// The base of every `husk oci` command: runc's global flags and error handling.
import { Command, Option } from "clipanion";
import { StateStore } from "../../state/store.ts";
import type { LogTarget } from "../log.ts";
import { ociExecute, ociLogTarget, ociWarn } from "./oci-execute.ts";

export abstract class OciCommand extends Command {
  root = Option.String("--root", process.env.HUSK_ROOT ?? "/run/husk", { description: "state directory (default /run/husk)" });
  log = Option.String("--log", { description: "also write errors to this file" });
  logFormat = Option.String("--log-format", "text", { description: "text or json" });
  debug = Option.Boolean("--debug", false, { description: "print where the time goes (same as HUSK_TRACE=1)" });
  systemdCgroup = Option.Boolean("--systemd-cgroup", false, { description: "not supported: husk writes cgroupfs directly" });

  protected store(): StateStore {
    return new StateStore(this.root);
  }

  protected target(): LogTarget {
    return ociLogTarget(this);
  }

  protected warn = (msg: string): void => ociWarn(this, this.context.stderr)(msg);

  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    return ociExecute(this, this.context.stderr, () => this.run());
  }
}

export { intOption } from "./oci-execute.ts";
