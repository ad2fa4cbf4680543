// Deriving a container's status from the kernel rather than trusting the state file.
import { existsSync, readFileSync } from "node:fs";
import { dirForController } from "../../runtime/cgroup-paths.ts";
import type { ContainerState, OciStatus } from "../../state/container-state.ts";
import { isSameLiveProcess } from "../../state/proc-stat.ts";
import type { StateStore } from "../../state/store.ts";

export function freezerFile(state: ContainerState): { path: string; frozen: (text: string) => boolean } | undefined {
  const v1 = dirForController(state.cgroup.dirs, "freezer");
  if (v1) return { path: `${v1}/freezer.state`, frozen: (t) => t.trim() !== "THAWED" };
  if (state.cgroup.v2Dir && existsSync(`${state.cgroup.v2Dir}/cgroup.freeze`))
    return { path: `${state.cgroup.v2Dir}/cgroup.freeze`, frozen: (t) => t.trim() === "1" };
  return undefined;
}

export function isPaused(state: ContainerState): boolean {
  const f = freezerFile(state);
  if (!f) return false;
  try {
    return f.frozen(readFileSync(f.path, "utf8"));
  } catch {
    return false;
  }
}

export function containerStatus(store: StateStore, state: ContainerState): OciStatus {
  if (!isSameLiveProcess(state.pid, state.pidStartTime)) return "stopped";
  if (existsSync(store.fifoPath(state.id))) return "created";
  return isPaused(state) ? "paused" : "running";
}

/** The runtime-spec state object (plus runc's extra fields that tools read). */
export function stateJson(store: StateStore, state: ContainerState) {
  const status = containerStatus(store, state);
  return {
    ociVersion: state.ociVersion,
    id: state.id,
    pid: status === "stopped" ? 0 : state.pid,
    status,
    bundle: state.bundle,
    rootfs: state.rootfs,
    created: state.created,
    owner: state.owner,
    annotations: state.annotations,
  };
}

/** What hooks receive on stdin, minus pid and status (husk-core adds them). */
export function hookStateBase(id: string, bundle: string, ociVersion: string, annotations: Record<string, string>): string {
  return JSON.stringify({ ociVersion, id, bundle, annotations });
}
