// The base of every `husk oci` command: runc's global flags and error handling.
import { Command, Option } from "clipanion";
import { HuskError } from "../../runtime/errors.ts";
import { StateStore } from "../../state/store.ts";
import { enableTrace } from "../../util/trace.ts";
import { type LogTarget, logLine, reportError } from "../log.ts";

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
    return { file: this.log, format: this.logFormat === "json" ? "json" : "text", debug: this.debug };
  }

  protected warn = (msg: string): void => logLine(this.target(), "warning", msg, this.context.stderr);

  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    if (this.debug) enableTrace();
    try {
      if (this.logFormat !== "text" && this.logFormat !== "json")
        throw new HuskError(`--log-format "${this.logFormat}": expected text or json`);
      if (this.systemdCgroup)
        throw new HuskError("--systemd-cgroup is not supported: husk manages cgroups through cgroupfs", "drop the flag (containerd: SystemdCgroup = false)");
      return (await this.run()) ?? 0;
    } catch (e) {
      return reportError(e, this.target(), this.context.stderr);
    }
  }
}

export function intOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new HuskError(`${name} "${text}": expected an integer`);
  return Number(text);
}
