// Error and warning output for the OCI face: stderr always, and --log FILE in text or
// json (containerd and podman read runc-style JSON lines from it).
import { appendFileSync } from "node:fs";

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
