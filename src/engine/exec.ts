// `husk exec`: a process in a running engine container, through the OCI exec path
// (src/oci/ops/exec.ts) with the state rebuilt from the record and the monitor's status.
import { readFileSync } from "node:fs";
import { resolveUser } from "../image/config-to-process.ts";
import { execWithState } from "../oci/ops/exec.ts";
import type { Spec } from "../oci/spec.ts";
import { CoreError, HuskError } from "../runtime/errors.ts";
import { STATE_VERSION } from "../state/container-state.ts";
import { currentState } from "./container-state.ts";
import { recordEvent } from "./events.ts";
import type { ContainerPaths } from "./paths.ts";
import type { ContainerRecord } from "./record.ts";

export interface EngineExecOptions {
  args: string[];
  tty: boolean;
  detach: boolean;
  env: string[];
  user?: string;
  workdir?: string;
  privileged?: boolean;
}

/** docker's codes when the command cannot run: 127 not found, 126 not executable. */
export function execFailureCode(e: unknown): number | undefined {
  if (!(e instanceof CoreError)) return undefined;
  if (e.errno === "ENOENT") return 127;
  if (e.errno === "EACCES" || e.errno === "ENOEXEC" || e.errno === "EPERM") return 126;
  return undefined;
}

export async function execInEngineContainer(rec: ContainerRecord, paths: ContainerPaths, opts: EngineExecOptions): Promise<number> {
  const live = currentState(rec, paths);
  if (!live.running) throw new HuskError(`cannot exec in container ${rec.name}: it is not running (${live.status})`, live.status === "paused" ? "unpause it first" : `start it first ('husk start ${rec.name}')`);
  if (!rec.cgroup) throw new HuskError(`cannot exec in container ${rec.name}: its record has no cgroup (started by an older husk?)`);
  const spec = JSON.parse(readFileSync(paths.config, "utf8")) as Spec;
  let user: string | undefined;
  if (opts.user) {
    const u = resolveUser(opts.user, rec.snapshot.mergedDir);
    user = `${u.uid}:${u.gid}`;
  }
  const state = {
    version: STATE_VERSION, id: rec.id, pid: live.pid, pidStartTime: live.pidStartTime, bundle: paths.bundle, rootfs: rec.snapshot.mergedDir,
    created: rec.created, owner: "", ociVersion: spec.ociVersion, annotations: spec.annotations ?? {}, cgroup: rec.cgroup, spec,
  };
  recordEvent(paths.roots, "exec_create", rec.id, { name: rec.name, execID: "", command: opts.args.join(" ") });
  try {
    const exit = await execWithState(state, {
      id: rec.id, args: opts.args, tty: opts.tty, detach: opts.detach, env: opts.env, user, cwd: opts.workdir,
      additionalGids: [], caps: opts.privileged ? (spec.process?.capabilities?.bounding ?? []) : [],
    });
    return exit?.status ?? 0;
  } catch (e) {
    const code = execFailureCode(e);
    if (code) throw new HuskError((e as HuskError).message, code === 127 ? "check the command's path in the container" : "check that it is executable", code);
    throw e;
  }
}
