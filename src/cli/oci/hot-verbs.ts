// The bodies of the OCI verbs containerd and podman call for every container (run,
// create, start, state, delete, kill), free of clipanion: the clipanion commands and the
// fast path (src/cli/fast-argv-dispatch.ts) both call these with the same option object.
// Each loads only its own operation module (module evaluation is start-up time).
import { StateStore } from "../../state/store.ts";
import { trace } from "../../util/trace.ts";
import { intOption, type OciGlobals, ociWarn } from "./oci-execute.ts";

/** The options of one verb, by the clipanion class's property names. */
export interface OciVerbOptions extends OciGlobals {
  root: string;
  id: string;
  bundle?: string;
  pidFile?: string;
  consoleSocket?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  preserveFds?: string;
  detach?: boolean;
  keep?: boolean;
  force?: boolean;
  all?: boolean;
  signal?: string;
}

export interface OciIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const bundleOptions = (o: OciVerbOptions) => ({
  id: o.id,
  bundle: o.bundle,
  pidFile: o.pidFile,
  consoleSocket: o.consoleSocket,
  noPivot: o.noPivot ?? false,
  preserveFds: intOption("--preserve-fds", o.preserveFds),
});

export const OCI_HOT_VERBS: Record<string, (o: OciVerbOptions, io: OciIo) => Promise<number | void>> = {
  run: async (o, io) => {
    const { runContainer } = await import("../../oci/ops/run.ts");
    trace("oci run: modules loaded");
    return runContainer(new StateStore(o.root), { ...bundleOptions(o), detach: o.detach ?? false, keep: o.keep ?? false }, ociWarn(o, io.stderr));
  },
  create: async (o) => {
    const { createContainer } = await import("../../oci/ops/create.ts");
    await createContainer(new StateStore(o.root), { ...bundleOptions(o), waitForStart: true, detach: true });
  },
  start: async (o, io) => {
    const { startContainer } = await import("../../oci/ops/start.ts");
    await startContainer(new StateStore(o.root), o.id, ociWarn(o, io.stderr));
  },
  state: async (o, io) => {
    const { stateJson } = await import("../../oci/ops/status.ts");
    const store = new StateStore(o.root);
    io.stdout.write(`${JSON.stringify(stateJson(store, store.read(o.id)), null, 2)}\n`);
  },
  delete: async (o, io) => {
    const { deleteContainer } = await import("../../oci/ops/delete.ts");
    await deleteContainer(new StateStore(o.root), o.id, o.force ?? false, ociWarn(o, io.stderr));
  },
  kill: async (o) => {
    const [{ killContainer }, { parseSignal }] = await Promise.all([import("../../oci/ops/kill.ts"), import("../../oci/ops/signals.ts")]);
    await killContainer(new StateStore(o.root), o.id, parseSignal(o.signal ?? "TERM"), o.all ?? false);
  },
};
