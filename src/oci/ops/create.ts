// `create` and the shared machinery of `run`: plan, hand to husk-core, record state.
import { addon } from "../../native/addon.ts";
import { controllerHome } from "../../cgroups/home.ts";
import { cgroupLimits } from "../../cgroups/limits.ts";
import { cgroupMode, resolveCgroupsPath } from "../../runtime/cgroup-paths.ts";
import { type CoreEvent, coreFailure, runCore } from "../../runtime/core-runner.ts";
import { HuskError } from "../../runtime/errors.ts";
import { buildPlan } from "../../runtime/plan-builder.ts";
import { writeFileAtomic } from "../../state/atomic-file.ts";
import { type ContainerState, STATE_VERSION } from "../../state/container-state.ts";
import { readProcStat } from "../../state/proc-stat.ts";
import type { StateStore } from "../../state/store.ts";
import { loadBundle } from "./bundle.ts";
import { removeCgroups } from "./cgroup-cleanup.ts";
import { compileSeccomp } from "./seccomp.ts";
import { hookStateBase } from "./status.ts";
import { trace } from "../../util/trace.ts";

export interface CreateOptions {
  id: string;
  bundle?: string;
  pidFile?: string;
  consoleSocket?: string;
  noPivot?: boolean;
  preserveFds?: number;
  /** create: wait on the exec fifo. run: start at once. */
  waitForStart: boolean;
  /** run --detach / create: init outlives us (CLONE_PARENT). */
  detach: boolean;
  onEvent?: (ev: CoreEvent, state: ContainerState) => void;
}

export function writePidFile(path: string, pid: number): void {
  writeFileAtomic(path, new TextEncoder().encode(String(pid)), 0o644);
}

export async function createContainer(store: StateStore, opts: CreateOptions): Promise<{ state: ContainerState; exit?: { status: number; signal: number } }> {
  const { id } = opts;
  store.createDir(id);
  let cgroup: { dirs: string[]; v2Dir?: string; missing: string[] } | undefined;
  let state: ContainerState | undefined;
  try {
    trace("create: begin");
    const bundle = loadBundle(opts.bundle);
    trace("create: bundle loaded and validated");
    const { spec } = bundle;
    if (spec.process?.terminal && !opts.consoleSocket && opts.detach)
      throw new HuskError("process.terminal is true but no --console-socket was given", "pass --console-socket, or set process.terminal to false");
    if (!spec.process?.terminal && opts.consoleSocket)
      throw new HuskError("--console-socket given but process.terminal is false", "drop --console-socket or set process.terminal to true");
    const mode = cgroupMode();
    cgroup = resolveCgroupsPath(spec.linux?.cgroupsPath, id);
    trace("create: cgroups resolved");
    const limits = cgroupLimits(spec, controllerHome(cgroup, mode));
    const seccomp = compileSeccomp(spec.linux?.seccomp);
    trace("create: limits and seccomp");
    const annotations = spec.annotations ?? {};
    const plan = buildPlan({
      id,
      spec,
      bundle: bundle.dir,
      rootfs: bundle.rootfs,
      detach: opts.detach,
      execFifo: opts.waitForStart ? store.fifoPath(id) : undefined,
      consoleSocket: opts.consoleSocket,
      preserveFds: opts.preserveFds,
      noPivot: opts.noPivot,
      cgroup,
      cgroupMode: mode,
      ...limits,
      seccomp,
      stateJson: hookStateBase(id, bundle.dir, spec.ociVersion, annotations),
    });
    trace("create: plan built");
    const base = {
      version: STATE_VERSION,
      id,
      bundle: bundle.dir,
      rootfs: bundle.rootfs,
      created: new Date().toISOString(),
      owner: "",
      ociVersion: spec.ociVersion,
      annotations,
      cgroup: { dirs: cgroup.dirs, v2Dir: cgroup.v2Dir, created: cgroup.missing },
      spec,
    };
    let exit: { status: number; signal: number } | undefined;
    const result = await runCore({
      mode: "create",
      plan,
      preserveFds: opts.preserveFds,
      onEvent: (ev) => {
        trace(`create: husk-core event ${ev.event}`);
        if (ev.event === "created") {
          const st = readProcStat(ev.pid);
          state = { ...base, pid: ev.pid, pidStartTime: st?.startTime ?? 0 };
          store.write(state);
          if (opts.pidFile) writePidFile(opts.pidFile, ev.pid);
        } else if (ev.event === "exited") {
          exit = { status: ev.status, signal: ev.signal };
        }
        if (state) opts.onEvent?.(ev, state);
      },
    });
    const failure = coreFailure(result, "create");
    if (failure) throw failure;
    if (!state) throw new HuskError("create: husk-core finished without reporting the container");
    return { state, exit };
  } catch (e) {
    // Nothing may be left behind: the child was killed by husk-core; remove the rest.
    if (state && addon().killPid(state.pid, 9)) addon().waitPidExit(state.pid, 2000);
    if (cgroup) removeCgroups({ dirs: cgroup.dirs, v2Dir: cgroup.v2Dir, created: cgroup.missing });
    store.remove(id);
    throw e;
  }
}
