// Runs husk-core with a plan and turns its JSON result lines into events. This is the
// one place where husk starts a process; all forking beyond it happens in C.
import { closeSync, writeSync } from "node:fs";
import { addon } from "../native/addon.ts";
import { huskCorePath } from "../native/core-binary.ts";
import { CoreError } from "./errors.ts";
import { trace } from "../util/trace.ts";

export type CoreEvent =
  | { event: "monitor"; pid: number }
  | { event: "created"; pid: number }
  | { event: "started"; pid: number }
  | { event: "exited"; pid: number; status: number; signal: number }
  | { event: "error"; stage: string; errno: string; errnum: number; path: string; message: string };

export interface CoreRunOptions {
  mode: "create" | "hooks" | "monitor";
  plan: Uint8Array;
  extraArgs?: string[];
  /** fds 3..3+n-1 of this process are passed to the container unchanged. */
  preserveFds?: number;
  /** Called for every event as it arrives (foreground runs need "started" early). */
  onEvent?: (ev: CoreEvent) => void;
}

export interface CoreRunResult {
  events: CoreEvent[];
  exitCode: number;
}

export async function runCore(opts: CoreRunOptions): Promise<CoreRunResult> {
  const n = opts.preserveFds ?? 0;
  trace("core: runCore");
  const [planRead, planWrite] = addon().pipe();
  const stdio: (string | number)[] = ["inherit", "inherit", "inherit"];
  for (let i = 0; i < n; i++) stdio.push(3 + i);
  const planFd = 3 + n;
  const resultFd = 4 + n;
  stdio.push(planRead, "pipe");
  let child;
  const corePath = huskCorePath();
  trace("core: husk-core path ready");
  try {
    child = Bun.spawn([corePath, opts.mode, "--plan-fd", String(planFd), "--result-fd", String(resultFd), ...(opts.extraArgs ?? [])], {
      stdio: stdio as never,
      env: process.env,
    });
  } finally {
    closeSync(planRead);
  }
  try {
    let off = 0;
    while (off < opts.plan.length) off += writeSync(planWrite, opts.plan, off);
  } catch (e) {
    // husk-core died before reading the whole plan; its result line says why.
    if ((e as NodeJS.ErrnoException).code !== "EPIPE") throw e;
  } finally {
    closeSync(planWrite);
  }
  const events: CoreEvent[] = [];
  const resultPipe = child.stdio[resultFd] as unknown as number;
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of Bun.file(resultPipe).stream()) {
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line) continue;
      let ev: CoreEvent;
      try {
        ev = JSON.parse(line) as CoreEvent;
      } catch {
        throw new CoreError(`husk-core sent an unreadable result line: ${line.slice(0, 200)}`);
      }
      events.push(ev);
      opts.onEvent?.(ev);
    }
  }
  const exitCode = await child.exited;
  trace("core: husk-core exited");
  return { events, exitCode };
}

/** The first error event, as a CoreError, or a generic one when husk-core died silently. */
export function coreFailure(result: CoreRunResult, what: string): CoreError | undefined {
  const err = result.events.find((e) => e.event === "error");
  if (err && err.event === "error") return CoreError.fromEvent(err);
  if (result.exitCode !== 0) return new CoreError(`${what}: husk-core exited with status ${result.exitCode} without a result`);
  return undefined;
}
