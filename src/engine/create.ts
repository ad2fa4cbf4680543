// `husk create` (and the first half of `run`): the record, the snapshot, the /etc files
// and config.json. Nothing runs yet; `start` hands the bundle to a monitor.
import { writeFileSync } from "node:fs";
import { addon } from "../native/addon.ts";
import { HuskError } from "../runtime/errors.ts";
import { createSnapshot, removeSnapshot } from "../storage/snapshot.ts";
import { trace } from "../util/trace.ts";
import { recordEvent } from "./events.ts";
import { parsePull } from "./flags/policies.ts";
import { checkRunnable, parsePlatformFlag } from "./platform.ts";
import { resolveImage } from "./image-source.ts";
import { generateName, newContainerId } from "./names.ts";
import { buildContainerSpec, ownBoundingSet } from "./oci-spec.ts";
import { findInitBinary } from "./init-binary.ts";
import type { Spec } from "../oci/spec.ts";
import type { ContainerRecord } from "./record.ts";
import type { RecordStore } from "./record-store.ts";
import { containerSettings, type RunFlags } from "./run-flags.ts";
import { attachVolumes, type AttachedVolumes, releaseVolumes } from "../volume/resolve.ts";
import { readCatalog } from "../volume/catalog.ts";
import { engineVolumeContext } from "./volumes.ts";
import { writeEtcFiles } from "./etc-files.ts";
import { etcNetworkOf } from "./network-etc.ts";
import { resolveSandbox } from "./network-sandbox.ts";
import { ContainerPaths } from "./paths.ts";
import { dirname } from "node:path";
import { parseUsernsFlags } from "./userns-flags.ts";
import { chownToContainerRoot, containerUserns, makeReachable, releaseUserns, snapshotIdmap } from "./userns.ts";

export interface CreateRequest {
  image: string;
  cmd: string[];
  flags: RunFlags & { pull?: string; platform?: string };
  onPull?: (ref: string) => void;
  /** Gets the validated spec written to config.json (`run` hands it to start as is). */
  onSpec?: (spec: Spec) => void;
}

/** Where the container's cgroups go: --cgroup-parent (relative: under the caller's own
 * cgroup, as runtimes read a relative cgroupsPath), else /husk. */
export function cgroupsPathFor(parent: string, id: string): string {
  return parent ? `${parent.replace(/\/+$/, "")}/husk-${id.slice(0, 12)}` : `/husk/${id}`;
}

/** config.json for the record, written into its bundle dir. */
export function writeBundleConfig(
  store: RecordStore,
  rec: ContainerRecord,
  image: { config: import("../image/config-to-process.ts").ImageConfig },
  volumePaths: Map<string, string>,
  netnsPath?: string,
): Spec {
  const paths = store.paths(rec.id);
  const etcMounts = writeEtcFiles(paths.dataDir, rec.config.Hostname || rec.id.slice(0, 12), rec.network ? rec.network.sandbox === "host" : rec.hostConfig.NetworkMode === "host", etcNetworkOf(rec));
  chownToContainerRoot(etcMounts.map((m) => m.source), rec.userns);
  trace("engine create: /etc files written");
  const spec = buildContainerSpec({
    record: rec,
    image: image.config,
    rootfs: rec.snapshot.mergedDir,
    etcMounts,
    volumeSource: (n) => {
      const p = volumePaths.get(n);
      if (!p) throw new Error(`internal: volume ${n} was not attached`);
      return p;
    },
    netnsPath,
    initBinary: rec.hostConfig.Init ? findInitBinary() : undefined,
    lastCap: addon().features().capLastCap,
    ownBounding: ownBoundingSet(),
    cgroupsPath: cgroupsPathFor(rec.hostConfig.CgroupParent, rec.id),
  });
  trace("engine create: spec built");
  writeFileSync(paths.config, JSON.stringify(spec, null, 1));
  return spec;
}

export async function createEngineContainer(store: RecordStore, req: CreateRequest): Promise<ContainerRecord> {
  const pull = parsePull(req.flags.pull);
  const platform = parsePlatformFlag(req.flags.platform);
  // Flags first: a bad value fails before any pull or disk work.
  containerSettings(req.flags, {}, req.image, req.cmd);
  trace("engine create: flags checked");
  const image = await resolveImage(req.image, { dataRoot: store.roots.dataRoot, pull, platform, onPull: req.onPull });
  trace("engine create: image resolved");
  checkRunnable(req.image, image.record.platform);
  const settings = containerSettings(req.flags, image.config, image.ref, req.cmd);
  const usernsReq = parseUsernsFlags(req.flags.userns, req.flags.uidmap, req.flags.gidmap);
  const id = newContainerId();
  // The network is looked up before anything is written: an unknown one fails cleanly.
  const sandbox = await resolveSandbox(new ContainerPaths(store.roots, id), settings).catch((e) => {
    throw e instanceof HuskError && e.exitCode === 1 ? new HuskError(e.message, e.hint, 125) : e;
  });
  trace("engine create: network resolved");
  const draft: ContainerRecord = {
    version: 1, id, name: req.flags.name ?? "", image: image.record.id, imageRef: image.ref, created: new Date().toISOString(),
    ...settings,
    ...sandbox,
    snapshot: { driver: "overlay", lowerDirs: [], upperDir: "", workDir: "", mergedDir: "" },
  };
  let rec = await store.create(draft, generateName);
  trace("engine create: record written");
  const volCtx = engineVolumeContext(store.roots);
  let volumes: AttachedVolumes | undefined;
  try {
    const userns = containerUserns(store.roots.dataRoot, id, usernsReq);
    if (userns) {
      rec.userns = userns;
      store.write(rec);
    }
    rec.snapshot = createSnapshot(store.roots.dataRoot, id, image.layerDirs, { ephemeral: rec.hostConfig.AutoRemove, idmap: snapshotIdmap(userns) });
    trace("engine create: snapshot made");
    store.write(rec);
    if (rec.userns) {
      const snapDir = dirname(rec.snapshot.mergedDir);
      makeReachable([dirname(snapDir), snapDir, store.paths(id).dataDir], store.roots.dataRoot);
    }
    trace("engine create: snapshot mounted");
    // Volumes after the snapshot: an empty one is filled from the image's files.
    volumes = await attachVolumes(volCtx, id, rec.hostConfig.Mounts, rec.snapshot.mergedDir);
    const catalog = readCatalog(store.roots.dataRoot);
    const anonymous = volumes.names.filter((n) => catalog[n]?.anonymous);
    if (anonymous.length) rec.anonymousVolumes = anonymous;
    // attachVolumes names anonymous volumes in the record's mounts; without volumes the
    // record is unchanged and a fourth write of it would only cost time.
    if (volumes.names.length) store.write(rec);
    trace("engine create: volumes mounted");
    const spec = writeBundleConfig(store, rec, image, volumes.hostPaths, rec.network?.netnsPath);
    req.onSpec?.(spec);
    trace("engine create: config.json written");
  } catch (e) {
    if (rec.snapshot.mergedDir) {
      try {
        removeSnapshot(rec.snapshot);
      } catch {}
    }
    releaseUserns(store.roots.dataRoot, { id, userns: rec.userns });
    store.remove(id);
    if (volumes) await releaseVolumes(volCtx, id, volumes.names, { removeAnonymous: true }).catch(() => {});
    throw e instanceof HuskError && e.exitCode === 1 ? new HuskError(e.message, e.hint, 125) : e;
  }
  recordEvent(store.roots, "create", id, { name: rec.name, image: rec.config.Image });
  trace("engine create: event recorded");
  return rec;
}
