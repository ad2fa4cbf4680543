// `exec`: a new process inside a running container, joining its namespaces and cgroups.
import { readFileSync } from "node:fs";
import { ownDirsFor } from "../../runtime/cgroup-paths.ts";
import { type CoreEvent, coreFailure, runCore } from "../../runtime/core-runner.ts";
import { HuskError } from "../../runtime/errors.ts";
import { buildPlan } from "../../runtime/plan-builder.ts";
import type { ContainerState } from "../../state/container-state.ts";
import type { StateStore } from "../../state/store.ts";
import type { Process, Spec } from "../spec.ts";
import { parseJson } from "../validate/json.ts";
import { validateSpec } from "../validate.ts";
import { writePidFile } from "./create.ts";
import { compileSeccomp } from "./seccomp.ts";
import { SignalForwarder } from "./signal-forward.ts";
import { containerStatus, hookStateBase } from "./status.ts";

export interface ExecOptions {
  id: string;
  processFile?: string;
  args: string[];
  tty?: boolean;
  consoleSocket?: string;
  detach?: boolean;
  pidFile?: string;
  cwd?: string;
  env: string[];
  user?: string;
  additionalGids: number[];
  caps: string[];
  noNewPrivs?: boolean;
  preserveFds?: number;
}

function parseUser(text: string): { uid: number; gid: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(text);
  if (!m) throw new HuskError(`--user "${text}": expected UID[:GID] as numbers`);
  return { uid: Number(m[1]), gid: Number(m[2] ?? 0) };
}

/** The process to run: -p file, or the container's own process with args and flags over it. */
export function execProcess(spec: Spec, opts: ExecOptions): Process {
  let proc: Process;
  if (opts.processFile) {
    let raw: unknown;
    try {
      raw = parseJson(readFileSync(opts.processFile, "utf8"), opts.processFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new HuskError(`--process ${opts.processFile}: not found: ENOENT`);
      throw e;
    }
    // Validate through the spec validator, so errors name process.* paths.
    proc = validateSpec({ ociVersion: spec.ociVersion, root: spec.root, process: raw }).process as Process;
  } else {
    if (!opts.args.length) throw new HuskError("exec: no command given", "pass the command after the container id, or -p process.json");
    const base = spec.process ?? { cwd: "/" };
    proc = { ...base, args: opts.args, terminal: false };
  }
  if (opts.tty) proc.terminal = true;
  if (opts.cwd) proc.cwd = opts.cwd;
  if (opts.env.length) proc.env = [...(proc.env ?? []), ...opts.env];
  if (opts.user) proc.user = { ...proc.user, ...parseUser(opts.user) };
  if (opts.additionalGids.length) proc.user = { uid: proc.user?.uid ?? 0, gid: proc.user?.gid ?? 0, ...proc.user, additionalGids: opts.additionalGids };
  if (opts.noNewPrivs) proc.noNewPrivileges = true;
  if (opts.caps.length) {
    const c = proc.capabilities ?? {};
    const add = (l?: string[]) => [...new Set([...(l ?? []), ...opts.caps])];
    proc.capabilities = { bounding: add(c.bounding), effective: add(c.effective), permitted: add(c.permitted), inheritable: add(c.inheritable), ambient: c.ambient };
  }
  return proc;
}

export async function execInContainer(store: StateStore, opts: ExecOptions, onEvent?: (ev: CoreEvent) => void): Promise<{ status: number } | undefined> {
  const state = store.read(opts.id);
  const status = containerStatus(store, state);
  if (status !== "running" && status !== "created")
    throw new HuskError(`cannot exec in container "${opts.id}": it is ${status}`, status === "paused" ? `resume it first` : undefined);
  return execWithState(state, opts, onEvent);
}

/** The exec itself, for a container whose state the caller has checked (the engine face
 * keeps its own records and calls this directly). */
export async function execWithState(state: ContainerState, opts: ExecOptions, onEvent?: (ev: CoreEvent) => void): Promise<{ status: number } | undefined> {
  const proc = execProcess(state.spec, opts);
  if (proc.terminal && !opts.consoleSocket && opts.detach)
    throw new HuskError("--tty with --detach needs --console-socket");
  const spec: Spec = { ...state.spec, process: proc };
  const plan = buildPlan({
    id: opts.id,
    spec,
    bundle: state.bundle,
    rootfs: state.rootfs,
    detach: !!opts.detach,
    consoleSocket: opts.consoleSocket,
    preserveFds: opts.preserveFds,
    cgroup: { dirs: state.cgroup.dirs, v2Dir: state.cgroup.v2Dir, returnDirs: ownDirsFor(state.cgroup.dirs) },
    cgroupMode: "none",
    seccomp: compileSeccomp(spec.linux?.seccomp),
    stateJson: hookStateBase(state.id, state.bundle, state.ociVersion, state.annotations),
    joinPid: state.pid,
  });
  let exit: { status: number } | undefined;
  using forwarder = opts.detach ? undefined : new SignalForwarder();
  const result = await runCore({
    mode: "create",
    plan,
    preserveFds: opts.preserveFds,
    onEvent: (ev) => {
      if (ev.event === "created") forwarder?.target(ev.pid);
      if (ev.event === "created" && opts.pidFile) writePidFile(opts.pidFile, ev.pid);
      if (ev.event === "exited") exit = { status: ev.status };
      onEvent?.(ev);
    },
  });
  const failure = coreFailure(result, "exec");
  if (failure) throw failure;
  return exit;
}
