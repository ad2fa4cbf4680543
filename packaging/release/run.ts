// Running the build tools: each step either succeeds or stops the release with one line
// naming the step, the command and its exit status.
import { spawnSync } from "node:child_process";

export class StepError extends Error {}

export function run(what: string, cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string>; quiet?: boolean }): string {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
    throw new StepError(`release: ${what} failed: ${cmd} ${args.join(" ")} exited ${r.status ?? r.signal ?? r.error?.message}\n${tail}`);
  }
  if (!opts.quiet) console.error(`release: ${what} (${Math.round(performance.now() - t0)} ms)`);
  return r.stdout;
}
