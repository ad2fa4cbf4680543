// One container's record and its live state together, as every command needs them.
import { readFileSync } from "node:fs";
import { dirForController } from "../runtime/cgroup-paths.ts";
import { type LiveState, liveState, procCheck, readMonitorStatus } from "./live-state.ts";
import type { ContainerPaths } from "./paths.ts";
import type { ContainerRecord } from "./record.ts";

/** The freezer says "frozen" (v1 freezer.state or v2 cgroup.freeze). */
export function isFrozen(rec: ContainerRecord): boolean {
  const cg = rec.cgroup;
  if (!cg) return false;
  try {
    const v1 = dirForController(cg.dirs, "freezer");
    if (v1) return readFileSync(`${v1}/freezer.state`, "utf8").trim() !== "THAWED";
    if (cg.v2Dir) return readFileSync(`${cg.v2Dir}/cgroup.freeze`, "utf8").trim() === "1";
  } catch {}
  return false;
}

export function currentState(rec: ContainerRecord, paths: ContainerPaths): LiveState {
  return liveState(readMonitorStatus(paths.liveDir), procCheck(() => isFrozen(rec)));
}
