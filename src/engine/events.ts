// The engine's event log: one JSON line per event, appended to
// <root>/engine/events/events.jsonl. Lines are written with one O_APPEND write each, so
// concurrent husk processes never interleave. The monitor (core-c/src/monitor/events.c)
// appends die, oom and restart to the same file the same way; `husk events` reads it.
import { appendFileSync, mkdirSync } from "node:fs";
import type { MonitorEvents } from "../runtime/plan-monitor.ts";
import { type EngineRoots, eventsDir } from "./paths.ts";

export type EngineAction = "create" | "start" | "die" | "oom" | "kill" | "stop" | "destroy" | "exec_create" | "exec_start" | "rename" | "attach" | "restart";

export interface EngineEvent {
  /** Unix time in nanoseconds, as a decimal string (docker's timeNano). */
  timeNano: string;
  type: "container";
  action: EngineAction;
  id: string;
  /** name, image and per-action facts (exitCode, signal, ...). */
  attributes: Record<string, string>;
}

export const eventsFile = (roots: EngineRoots) => `${eventsDir(roots)}/events.jsonl`;

/** What the monitor needs to write its own events (die, oom, restart) for this container. */
export function monitorEvents(roots: EngineRoots, id: string, attributes: Record<string, string>): MonitorEvents {
  try {
    mkdirSync(eventsDir(roots), { recursive: true, mode: 0o700 });
  } catch {}
  return { file: eventsFile(roots), id, attributes };
}

/** Appends one event; never fails the command that reports it. */
export function recordEvent(roots: EngineRoots, action: EngineAction, id: string, attributes: Record<string, string>, now = Date.now()): EngineEvent {
  const ev: EngineEvent = { timeNano: `${BigInt(now) * 1_000_000n}`, type: "container", action, id, attributes };
  try {
    mkdirSync(eventsDir(roots), { recursive: true, mode: 0o700 });
    appendFileSync(eventsFile(roots), `${JSON.stringify(ev)}\n`);
  } catch {}
  return ev;
}
