// What `husk run` does once its command line is parsed, free of clipanion so that the
// fast path (src/cli/fast-argv-dispatch.ts) and the clipanion command (run.ts) share it.
import { createEngineContainer } from "../../engine/create.ts";
import { runForeground } from "../../engine/foreground.ts";
import type { EngineRoots } from "../../engine/paths.ts";
import { RecordStore } from "../../engine/record-store.ts";
import { removeContainer } from "../../engine/remove.ts";
import type { RunFlags } from "../../engine/run-flags.ts";
import type { Spec } from "../../oci/spec.ts";
import { startEngineContainer } from "../../engine/start.ts";
import { trace } from "../../util/trace.ts";

export interface RunRequest {
  roots: EngineRoots;
  image: string;
  cmd: string[];
  detach: boolean;
  flags: RunFlags & { pull?: string; platform?: string };
}

export interface RunIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function runContainerAction(req: RunRequest, io: RunIo): Promise<number> {
  trace("engine run: modules loaded");
  const store = new RecordStore(req.roots);
  let spec: Spec | undefined;
  const rec = await createEngineContainer(store, {
    image: req.image,
    cmd: req.cmd,
    flags: req.flags,
    onPull: (ref) => io.stderr.write(`Unable to find image '${ref}' locally\n`),
    onSpec: (s) => (spec = s),
  });
  let started;
  try {
    started = await startEngineContainer(store, rec, { waitForAttach: !req.detach, justCreated: true, spec });
  } catch (e) {
    // docker keeps a container that failed to start, unless --rm asked otherwise.
    if (rec.hostConfig.AutoRemove) await removeContainer(store, store.read(rec.id), { force: true, volumes: true });
    throw e;
  }
  if (req.detach) {
    io.stdout.write(`${rec.id}\n`);
    return 0;
  }
  return runForeground(store, rec, started.pid, io, true);
}
