// How an engine command that failed ends: one line on stderr and docker's exit code.
// Shared by the clipanion commands (base.ts) and the fast path for `husk run`
// (fast-argv-dispatch.ts), so both report a failure the same way. No clipanion here.
import { HuskError } from "../../runtime/errors.ts";
import { reportError } from "../log.ts";

/** run/create/start/exec fail with 125 (failCode), or 126/127 when the command cannot be run. */
export function engineFailure(e: unknown, failCode: number, debug: boolean, stderr: NodeJS.WritableStream): number {
  reportError(e, { format: "text", debug }, stderr);
  return e instanceof HuskError && (e.exitCode === 126 || e.exitCode === 127) ? e.exitCode : failCode;
}
