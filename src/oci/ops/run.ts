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
  const { state, exit } = await createContainer(store, {
    ...opts,
    waitForStart: false,
    onEvent: (ev, st) => {
      if (ev.event === "created") forwarder?.target(ev.pid);
      if (ev.event === "started") runHooks(st, "poststart", "running").catch((e) => warn(`poststart hook failed: ${(e as Error).message}`));
    },
  });
  if (opts.detach) return 0;
  if (!opts.keep) await deleteContainer(store, state.id, true, warn);
  trace("run: deleted");
  return exit?.status ?? 0;
}
