// `husk start` (and the second half of `run`): mount the snapshot, make the network
// namespace, and hand the bundle to a `husk-core monitor`, which becomes the container's
// parent and outlives this process.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { controllerHome } from "../cgroups/home.ts";
import { cgroupLimits } from "../cgroups/limits.ts";
import { hookStateBase } from "../oci/ops/status.ts";
import { parseSignal } from "../oci/ops/signals.ts";
import type { Spec } from "../oci/spec.ts";
import { validateSpec } from "../oci/validate.ts";
import { cgroupMode, resolveCgroupsPath } from "../runtime/cgroup-paths.ts";
import { HuskError } from "../runtime/errors.ts";
import { buildPlan } from "../runtime/plan-builder.ts";
import { oomCountersFor } from "../runtime/plan-monitor.ts";
import { mountSnapshot } from "../storage/snapshot.ts";
import { trace } from "../util/trace.ts";
import { currentState } from "./container-state.ts";
import { monitorEvents } from "./events.ts";
import { cachedSeccomp } from "./seccomp-cache.ts";
import { parseBytes } from "./flags/sizes.ts";
import { launchMonitor, StartError } from "./monitor-client.ts";
import { attachContainerNetworks } from "./network-attach.ts";
import type { ContainerRecord } from "./record.ts";
import { type RecordStore, withContainerLock } from "./record-store.ts";

export interface StartOptions {
  /** Foreground: the monitor creates the container and waits for our start frame. */
  waitForAttach: boolean;
  /** `run`: create mounted the snapshot a moment ago (checking mountinfo costs ms). */
  justCreated?: boolean;
  /** `run`: the spec create validated and wrote a moment ago (reading it back costs ms). */
  spec?: Spec;
  /** The husk executable the monitor runs for --rm cleanup (absolute). */
  huskPath?: string;
}

/** --network container:X: X's network namespace, through its running init. */
function joinedNetns(store: RecordStore, rec: ContainerRecord): string | undefined {
  const mode = rec.hostConfig.NetworkMode;
  if (mode.startsWith("ns:")) return mode.slice(3);
  if (!mode.startsWith("container:")) return mode === "host" ? undefined : store.paths(rec.id).netns;
  const other = store.find(mode.slice(10));
  const live = currentState(other, store.paths(other.id));
  if (!live.running) throw new HuskError(`cannot join the network of container ${other.name}: it is not running`, `start it first ('husk start ${other.name}')`, 125);
  return `/proc/${live.pid}/ns/net`;
}

function loadSpec(path: string): Spec {
  return validateSpec(JSON.parse(readFileSync(path, "utf8")));
}

export async function startEngineContainer(store: RecordStore, rec0: ContainerRecord, opts: StartOptions): Promise<{ monitorPid: number; pid: number; already?: boolean }> {
  const paths = store.paths(rec0.id);
  const result = await withContainerLock(paths, async (): Promise<{ monitorPid: number; pid: number; already?: boolean }> => {
    let rec = store.read(rec0.id);
    const live = currentState(rec, paths);
    if (live.running || live.status === "paused") return { monitorPid: live.monitorPid, pid: live.pid, already: true };
    if (live.status === "restarting") throw new HuskError(`container ${rec.name} is restarting`, `stop it first ('husk stop ${rec.name}')`, 125);
    if (!opts.justCreated) mountSnapshot(rec.snapshot);
    trace("engine start: snapshot mounted");
    const mode = rec.hostConfig.NetworkMode;
    // A new netns with nothing to attach (--network none): the monitor's husk-core makes
    // it, with lo up, before the container exists (one husk-core run fewer). Anything
    // else goes through the network drivers.
    const bare = rec.network ? rec.network.sandbox === "new" && rec.network.driver === "none" && !Object.keys(rec.networks ?? {}).length : mode === "none";
    const netnsAdd = bare && !existsSync(paths.netns) ? paths.netns : undefined;
    if (netnsAdd) mkdirSync(dirname(netnsAdd), { recursive: true, mode: 0o711 });
    else if (rec.network) rec = await attachContainerNetworks(store, rec, { write: false }); // written below
    const spec = opts.spec && opts.justCreated ? opts.spec : loadSpec(paths.config);
    trace("engine start: spec loaded");
    if (mode.startsWith("container:")) {
      const ns = spec.linux!.namespaces!.find((n) => n.type === "network")!;
      ns.path = joinedNetns(store, rec);
      writeFileSync(paths.config, JSON.stringify(spec, null, 1));
    }
    trace("engine start: network ready");
    const cgroup = resolveCgroupsPath(spec.linux?.cgroupsPath, rec.id);
    // Only the container's own leaves are removed at rm: the parent (/husk or
    // --cgroup-parent) is shared by every container, as docker's /docker is.
    rec.cgroup = { dirs: cgroup.dirs, v2Dir: cgroup.v2Dir, created: [...cgroup.dirs, ...(cgroup.v2Dir ? [cgroup.v2Dir] : [])] };
    store.write(rec);
    trace("engine start: record written");
    const modeName = cgroupMode();
    const logOpts = rec.hostConfig.LogConfig.Config;
    const limits = cgroupLimits(spec, controllerHome(cgroup, modeName));
    trace("engine start: cgroup limits");
    const seccomp = cachedSeccomp(store.roots.root, spec.linux?.seccomp);
    trace("engine start: seccomp");
    const plan = buildPlan({
      id: rec.id,
      spec,
      bundle: paths.bundle,
      rootfs: rec.snapshot.mergedDir,
      detach: false,
      cgroup,
      cgroupMode: modeName,
      ...limits,
      seccomp,
      stateJson: hookStateBase(rec.id, paths.bundle, spec.ociVersion, spec.annotations ?? {}),
      monitor: {
        statusFile: paths.status,
        attachSocket: paths.attachSocket,
        logPath: paths.log,
        ...(logOpts["max-size"] ? { logMaxSize: parseBytes("--log-opt max-size", logOpts["max-size"]) } : {}),
        ...(logOpts["max-file"] ? { logMaxFile: Number(logOpts["max-file"]) } : {}),
        openStdin: rec.config.OpenStdin,
        waitForAttach: opts.waitForAttach,
        restart: { name: rec.hostConfig.RestartPolicy.Name, maxRetries: rec.hostConfig.RestartPolicy.MaximumRetryCount },
        stopSignal: parseSignal(rec.config.StopSignal),
        stopTimeout: rec.config.StopTimeout ?? 10,
        ...(rec.hostConfig.AutoRemove
          ? { cleanupArgv: [opts.huskPath ?? process.execPath, "rm", "-f", "-v", "--root", store.roots.root, "--data-root", store.roots.dataRoot, rec.id] }
          : {}),
        oomCounters: oomCountersFor(cgroup),
        events: monitorEvents(store.roots, rec.id, { name: rec.name, image: rec.config.Image }),
        netnsAdd,
      },
    });
    trace("engine start: plan built");
    try {
      return await launchMonitor(plan);
    } catch (e) {
      if (e instanceof StartError) throw new HuskError(e.message, e.hint, e.code);
      throw e;
    }
  });
  trace("engine start: monitor reported");
  // "start" is written by the monitor when it releases the container (before a quick die).
  return result;
}
