// Error and warning output for the OCI face: stderr always, and --log FILE in text or
// json (containerd and podman read runc-style JSON lines from it).
import { appendFileSync } from "node:fs";
import { HuskError } from "../runtime/errors.ts";

export interface LogTarget {
  file?: string;
  format: "text" | "json";
  debug: boolean;
}

export function logLine(target: LogTarget, level: "error" | "warning" | "debug", msg: string, stderr: NodeJS.WritableStream): void {
  if (level === "debug" && !target.debug) return;
  stderr.write(`husk: ${level === "error" ? "" : `${level}: `}${msg}\n`);
  if (!target.file) return;
  const time = new Date().toISOString();
  const line = target.format === "json" ? JSON.stringify({ level, msg, time }) : `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
  try {
    appendFileSync(target.file, `${line}\n`);
  } catch {}
}

/** Prints a failed command's error as one line and returns its exit code. */
export function reportError(e: unknown, target: LogTarget, stderr: NodeJS.WritableStream): number {
  const msg = e instanceof HuskError ? e.render() : (e as Error).message ?? String(e);
  logLine(target, "error", msg, stderr);
  if (target.debug && !(e instanceof HuskError) && e instanceof Error && e.stack) stderr.write(`${e.stack}\n`);
  return e instanceof HuskError ? e.exitCode : 1;
}
