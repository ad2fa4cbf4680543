// `run`: create and start in one go; in the foreground, wait and clean up.
import type { StateStore } from "../../state/store.ts";
import { trace } from "../../util/trace.ts";
import { type CreateOptions, createContainer } from "./create.ts";
import { deleteContainer } from "./delete.ts";
import { SignalForwarder } from "./signal-forward.ts";
import { runHooks } from "./start.ts";

export async function runContainer(
  store: StateStore,
  opts: Omit<CreateOptions, "waitForStart"> & { keep?: boolean },
  warn: (m: string) => void,
): Promise<number> {
  using forwarder = opts.detach ? undefined : new SignalForwarder();
  // Poststart starts as soon as init runs (it must overlap a long-lived container), but
  // it must also be over before `run` returns and before delete's poststop begins, even
  // when init exits at once: hold on to it and wait for it at both points.
  let poststart: Promise<void> | undefined;
  let created: Awaited<ReturnType<typeof createContainer>>;
  try {
    created = await createContainer(store, {
      ...opts,
      waitForStart: false,
      onEvent: (ev, st) => {
        if (ev.event === "created") forwarder?.target(ev.pid);
        if (ev.event === "started") poststart = runHooks(st, "poststart", "running").catch((e) => warn(`poststart hook failed: ${(e as Error).message}`));
      },
    });
  } finally {
    // Also on failure: no hook may outlive the command that started it.
    await poststart;
    trace("run: poststart done");
  }
  const { state, exit } = created;
  if (opts.detach) return 0;
  if (!opts.keep) await deleteContainer(store, state.id, true, warn);
  trace("run: deleted");
  return exit?.status ?? 0;
}
