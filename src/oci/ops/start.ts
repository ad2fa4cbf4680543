// `start`: release init from the exec fifo, then run poststart hooks.
import { unlinkSync } from "node:fs";
import { addon } from "../../native/addon.ts";
import { coreFailure, runCore } from "../../runtime/core-runner.ts";
import { HuskError } from "../../runtime/errors.ts";
import { buildHooksPlan } from "../../runtime/plan-builder.ts";
import type { ContainerState } from "../../state/container-state.ts";
import type { StateStore } from "../../state/store.ts";
import { containerStatus, hookStateBase } from "./status.ts";

export async function runHooks(state: ContainerState, phase: "poststart" | "poststop", status: string): Promise<void> {
  const plan = buildHooksPlan(state.spec, phase, hookStateBase(state.id, state.bundle, state.ociVersion, state.annotations));
  if (!plan) return;
  const result = await runCore({ mode: "hooks", plan, extraArgs: ["--phase", phase === "poststart" ? "4" : "5", "--pid", String(state.pid), "--status", status] });
  const failure = coreFailure(result, phase);
  if (failure) throw failure;
}

export async function startContainer(store: StateStore, id: string, warn: (msg: string) => void): Promise<void> {
  const state = await store.withLock(id, async () => {
    const state = store.read(id);
    const status = containerStatus(store, state);
    if (status !== "created")
      throw new HuskError(`cannot start container "${id}": it is ${status}`, status === "stopped" ? `delete it with 'delete ${id}'` : "only a created container can be started");
    const fifo = store.fifoPath(id);
    if (!addon().releaseFifo(fifo, 5000)) throw new HuskError(`cannot start container "${id}": its init is gone (exited before start)`);
    // The fifo's absence is what tells `state` the container was started.
    unlinkSync(fifo);
    return state;
  });
  try {
    await runHooks(state, "poststart", "running");
  } catch (e) {
    // runtime-spec: a failing poststart hook is a warning, not a failure.
    warn(`poststart hook failed: ${(e as Error).message}`);
  }
}
