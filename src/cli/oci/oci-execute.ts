// How every `husk oci` verb runs: runc's global flags checked, warnings and errors through
// --log/--log-format, runc-like exit codes. Shared by the clipanion commands (base.ts) and
// the fast path for the hot verbs (src/cli/fast-argv-dispatch.ts). No clipanion here.
import { HuskError } from "../../runtime/errors.ts";
import { enableTrace } from "../../util/trace.ts";
import { type LogTarget, logLine, reportError } from "../log.ts";

export interface OciGlobals {
  log?: string;
  logFormat: string;
  debug: boolean;
  systemdCgroup: boolean;
}

export function ociLogTarget(g: OciGlobals): LogTarget {
  return { file: g.log, format: g.logFormat === "json" ? "json" : "text", debug: g.debug };
}

export async function ociExecute(g: OciGlobals, stderr: NodeJS.WritableStream, body: () => Promise<number | void>): Promise<number> {
  if (g.debug) enableTrace();
  try {
    if (g.logFormat !== "text" && g.logFormat !== "json") throw new HuskError(`--log-format "${g.logFormat}": expected text or json`);
    if (g.systemdCgroup)
      throw new HuskError("--systemd-cgroup is not supported: husk manages cgroups through cgroupfs", "drop the flag (containerd: SystemdCgroup = false)");
    return (await body()) ?? 0;
  } catch (e) {
    return reportError(e, ociLogTarget(g), stderr);
  }
}

export function ociWarn(g: OciGlobals, stderr: NodeJS.WritableStream): (msg: string) => void {
  return (msg) => logLine(ociLogTarget(g), "warning", msg, stderr);
}

/** A runc flag that takes an integer. */
export function intOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new HuskError(`${name} "${text}": expected an integer`);
  return Number(text);
}
