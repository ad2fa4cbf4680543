// `run`: create and start in one go; in the foreground, wait and clean up.
import type { StateStore } from "../../state/store.ts";
import { type CreateOptions, createContainer } from "./create.ts";
import { deleteContainer } from "./delete.ts";
import { runHooks } from "./start.ts";
import { trace } from "../../util/trace.ts";

export async function runContainer(
  store: StateStore,
  opts: Omit<CreateOptions, "waitForStart"> & { keep?: boolean },
  warn: (m: string) => void,
): Promise<number> {
  let forward: ((sig: NodeJS.Signals) => void) | undefined;
  if (!opts.detach) {
    // husk-core forwards signals to the container; we must just not die of them.
    forward = () => {};
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const) process.on(s, forward);
  }
  try {
    const { state, exit } = await createContainer(store, {
      ...opts,
      waitForStart: false,
      onEvent: (ev, st) => {
        if (ev.event === "started") {
          runHooks(st, "poststart", "running").catch((e) => warn(`poststart hook failed: ${(e as Error).message}`));
        }
      },
    });
    if (opts.detach) return 0;
    if (!opts.keep) await deleteContainer(store, state.id, true, warn);
    trace("run: deleted");
    return exit?.status ?? 0;
  } finally {
    if (forward) for (const s of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const) process.off(s, forward);
  }
}
