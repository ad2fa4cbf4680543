// Turns a validated runtime-spec config into husk-core's plan. Pure: no syscalls here,
// so every translation rule is unit-testable without root.
import { isAbsolute, resolve } from "node:path";
import { MS_BIND, MS_REC, parseMountOptions, parsePropagation } from "../oci/mount-options.ts";
import {
  CAPABILITIES,
  type LinuxCapabilities,
  type Mount,
  NAMESPACE_CLONE_FLAGS,
  PERSONALITY_DOMAINS,
  type Hook,
  type Linux,
  type LinuxIDMapping,
  RLIMITS,
  type Spec,
} from "../oci/spec.ts";
import type { DeviceRule } from "../cgroups/devices.ts";
import type { CgroupWrite } from "../cgroups/writes.ts";
import { type HostCgroups, hierarchyOf } from "./cgroup-paths.ts";
import { HuskError } from "./errors.ts";
import { PlanWriter } from "./plan-encoder.ts";
import { type MonitorSettings, writeMonitorSettings } from "./plan-monitor.ts";
import { checkSysctls } from "./sysctl-rules.ts";
import { HookPhase, PLAN_VERSION, Tag } from "./plan-tags.ts";

export interface PlanInput {
  id: string;
  spec: Spec;
  bundle: string;
  /** Absolute rootfs path on the host. */
  rootfs: string;
  /** init becomes a child of our caller (CLONE_PARENT) and husk-core returns early. */
  detach: boolean;
  /** create: init waits on this fifo for `start`. */
  execFifo?: string;
  consoleSocket?: string;
  preserveFds?: number;
  noPivot?: boolean;
  cgroup: { dirs: string[]; v2Dir?: string; returnDirs?: string[] };
  /** Resource limits to write into the new cgroups before the container joins them. */
  cgroupWrites?: CgroupWrite[];
  /** cgroup v2 device rules (an eBPF filter husk-core attaches). */
  deviceRules?: DeviceRule[];
  /** The host's cgroup layout, for translating a "cgroup" mount. */
  cgroupMode: "v2" | "hybrid" | "v1" | "none";
  /** Host hierarchies (default: read from /proc); tests pass their own. */
  hostCgroups?: HostCgroups;
  seccomp?: { bpf: Uint8Array; flags: number };
  /** runtime-spec state without pid/status; husk-core adds them for hooks. */
  stateJson: string;
  /** exec: the running container's init pid; the plan then joins instead of creating. */
  joinPid?: number;
  /** `husk-core monitor`: how it keeps the container (detach must be false). */
  monitor?: MonitorSettings;
}

/** Device nodes every container gets when /dev is a fresh tmpfs (runtime-spec "Default Devices"). */
export const DEFAULT_DEVICES = [
  { path: "/dev/null", major: 1, minor: 3 },
  { path: "/dev/zero", major: 1, minor: 5 },
  { path: "/dev/full", major: 1, minor: 7 },
  { path: "/dev/random", major: 1, minor: 8 },
  { path: "/dev/urandom", major: 1, minor: 9 },
  { path: "/dev/tty", major: 5, minor: 0 },
] as const;

const HOOKS_IN_CORE = ["prestart", "createRuntime", "createContainer", "startContainer"] as const;

export function capabilityMask(names: readonly string[] | undefined): bigint {
  let mask = 0n;
  for (const n of names ?? []) {
    const bit = (CAPABILITIES as Record<string, number>)[n];
    if (bit === undefined) throw new HuskError(`unknown capability "${n}"`);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

function writeCaps(w: PlanWriter, caps: LinuxCapabilities | undefined): void {
  // With no capabilities object the process keeps none, as runc does.
  w.int(Tag.CAP_BOUNDING, capabilityMask(caps?.bounding));
  w.int(Tag.CAP_EFFECTIVE, capabilityMask(caps?.effective));
  w.int(Tag.CAP_PERMITTED, capabilityMask(caps?.permitted));
  w.int(Tag.CAP_INHERITABLE, capabilityMask(caps?.inheritable));
  w.int(Tag.CAP_AMBIENT, capabilityMask(caps?.ambient));
}

function writeHook(w: PlanWriter, phase: number, h: Hook): void {
  w.group(Tag.HOOK, (g) => {
    g.int(Tag.H_PHASE, phase).str(Tag.H_PATH, h.path).strs(Tag.H_ARG, h.args).strs(Tag.H_ENV, h.env);
    g.int(Tag.H_TIMEOUT, h.timeout ?? 0);
  });
}

/** Expand a "cgroup" mount into what this host can mount (see comment inside). */
export function cgroupMounts(m: Mount, input: PlanInput): Mount[] {
  const ro = (m.options ?? []).includes("ro");
  const opts = ["nosuid", "noexec", "nodev", ...(ro ? ["ro"] : [])];
  if (input.cgroupMode === "v2") return [{ ...m, type: "cgroup2", source: "cgroup2", options: opts }];
  // v1 and hybrid: a tmpfs with the container's own directory of each hierarchy bound
  // under its controller name, so tools inside see their own limits.
  const out: Mount[] = [{ destination: m.destination, type: "tmpfs", source: "tmpfs", options: ["nosuid", "noexec", "nodev", "mode=755", "size=64k"] }];
  const all = [...input.cgroup.dirs, ...(input.cgroup.v2Dir ? [input.cgroup.v2Dir] : [])];
  for (const dir of all) {
    const mountPoint = hierarchyOf(dir, input.hostCgroups)?.mountPoint;
    const name = mountPoint?.slice(mountPoint.lastIndexOf("/") + 1);
    if (!name) continue;
    out.push({ destination: `${m.destination}/${name}`, type: "bind", source: dir, options: ["rbind", ...opts] });
  }
  return out;
}

function writeIdMap(g: PlanWriter, tag: number, maps: readonly LinuxIDMapping[]): void {
  for (const x of maps) g.group(tag, (e) => e.int(Tag.MAP_CONTAINER, x.containerID).int(Tag.MAP_HOST, x.hostID).int(Tag.MAP_SIZE, x.size));
}

function writeMount(w: PlanWriter, m: Mount, bundle: string, linux: Linux, index: number): void {
  const o = parseMountOptions(m.options);
  const bind = o.bind || m.type === "bind" || o.idmap;
  const idmapped = o.idmap || !!m.uidMappings?.length || !!m.gidMappings?.length;
  // An idmapped mount without its own mappings takes the container's (as runc does).
  const uidMaps = m.uidMappings?.length ? m.uidMappings : linux.uidMappings ?? [];
  const gidMaps = m.gidMappings?.length ? m.gidMappings : linux.gidMappings ?? [];
  if (idmapped && (!uidMaps.length || !gidMaps.length))
    throw new HuskError(`mounts[${index}] (${m.destination}): an idmapped mount needs uidMappings and gidMappings`, "set them on the mount or in linux.uidMappings/gidMappings");
  let source = m.source;
  if (bind && source !== undefined && !isAbsolute(source)) source = resolve(bundle, source);
  w.group(Tag.MOUNT, (g) => {
    g.str(Tag.M_DEST, m.destination).str(Tag.M_TYPE, bind ? "bind" : m.type).str(Tag.M_SOURCE, source);
    g.int(Tag.M_FLAGS, o.flags | (bind ? MS_BIND : 0) | (o.recursiveBind || o.recursiveIdmap ? MS_REC : 0));
    if (o.clearFlags) g.int(Tag.M_CLEAR_FLAGS, o.clearFlags);
    if (o.data) g.str(Tag.M_DATA, o.data);
    for (const p of o.propagation) g.int(Tag.M_PROPAGATION, p);
    if (o.attrSet) g.int(Tag.M_ATTR_SET, o.attrSet);
    if (o.attrClr) g.int(Tag.M_ATTR_CLR, o.attrClr);
    if (idmapped) {
      writeIdMap(g, Tag.M_UIDMAP, uidMaps);
      writeIdMap(g, Tag.M_GIDMAP, gidMaps);
    }
  });
}

export function buildPlan(input: PlanInput): Uint8Array {
  const { spec } = input;
  const proc = spec.process;
  if (!proc?.args?.length) throw new HuskError("process.args: must be a non-empty array");
  const linux = spec.linux ?? {};
  const w = new PlanWriter();
  w.int(Tag.VERSION, PLAN_VERSION).str(Tag.ID, input.id);

  const joining = input.joinPid !== undefined;
  if (joining) {
    w.int(Tag.CONTAINER_PID, input.joinPid);
    for (const ns of linux.namespaces ?? []) {
      const file = NS_PROC_NAME[ns.type];
      w.group(Tag.NAMESPACE, (g) => g.int(Tag.NS_TYPE, NAMESPACE_CLONE_FLAGS[ns.type]).str(Tag.NS_PATH, `/proc/${input.joinPid}/ns/${file}`));
    }
  } else {
    w.str(Tag.ROOTFS, input.rootfs).bool(Tag.ROOTFS_READONLY, spec.root?.readonly).bool(Tag.NO_PIVOT, input.noPivot);
    if (linux.rootfsPropagation) w.int(Tag.ROOTFS_PROPAGATION, parsePropagation(linux.rootfsPropagation));
    const nsTypes = new Set((linux.namespaces ?? []).map((n) => n.type));
    if (!nsTypes.has("mount"))
      throw new HuskError("linux.namespaces: husk needs a mount namespace", 'add {"type": "mount"} to linux.namespaces');
    for (const ns of linux.namespaces ?? [])
      w.group(Tag.NAMESPACE, (g) => g.int(Tag.NS_TYPE, NAMESPACE_CLONE_FLAGS[ns.type]).str(Tag.NS_PATH, ns.path));
    writeIdMap(w, Tag.UIDMAP, linux.uidMappings ?? []);
    writeIdMap(w, Tag.GIDMAP, linux.gidMappings ?? []);
    for (const [clock, off] of Object.entries(linux.timeOffsets ?? {}))
      w.group(Tag.TIME_OFFSET, (g) => g.str(Tag.TO_CLOCK, clock).int(Tag.TO_SECS, off?.secs ?? 0).int(Tag.TO_NSECS, off?.nanosecs ?? 0));
    let devIsTmpfs = false;
    for (const [index, m] of (spec.mounts ?? []).entries()) {
      if (m.destination === "/dev" && m.type === "tmpfs") devIsTmpfs = true;
      const expanded = m.type === "cgroup" ? cgroupMounts(m, input) : [m];
      for (const e of expanded) writeMount(w, e, input.bundle, linux, index);
    }
    w.strs(Tag.MASKED_PATH, linux.maskedPaths).strs(Tag.READONLY_PATH, linux.readonlyPaths);
    const devices = [
      ...(devIsTmpfs ? DEFAULT_DEVICES.filter((d) => !(linux.devices ?? []).some((x) => x.path === d.path)).map((d) => ({ ...d, type: "c" as const, fileMode: 0o666, uid: 0, gid: 0 })) : []),
      ...(linux.devices ?? []),
    ];
    for (const d of devices) {
      w.group(Tag.DEVICE, (g) => {
        g.str(Tag.D_PATH, d.path).int(Tag.D_TYPE, (d.type === "u" ? "c" : d.type).charCodeAt(0));
        g.int(Tag.D_MAJOR, d.major ?? 0).int(Tag.D_MINOR, d.minor ?? 0).int(Tag.D_MODE, d.fileMode ?? 0o666);
        g.int(Tag.D_UID, d.uid ?? 0).int(Tag.D_GID, d.gid ?? 0);
      });
    }
    if (spec.hostname !== undefined) w.str(Tag.HOSTNAME, spec.hostname);
    if (spec.domainname !== undefined) w.str(Tag.DOMAINNAME, spec.domainname);
    checkSysctls(linux.sysctl, linux.namespaces);
    for (const [k, v] of Object.entries(linux.sysctl ?? {})) w.group(Tag.SYSCTL, (g) => g.str(Tag.KV_KEY, k).str(Tag.KV_VALUE, v));
    if (linux.personality) w.int(Tag.PERSONALITY, PERSONALITY_DOMAINS[linux.personality.domain]);
    for (const phase of HOOKS_IN_CORE) for (const h of spec.hooks?.[phase] ?? []) writeHook(w, HookPhase[phase], h);
    w.str(Tag.EXEC_FIFO, input.execFifo);
  }

  w.str(Tag.CWD, proc.cwd).strs(Tag.ARG, proc.args).strs(Tag.ENV, proc.env);
  w.int(Tag.UID, proc.user?.uid ?? 0).int(Tag.GID, proc.user?.gid ?? 0);
  for (const g of proc.user?.additionalGids ?? []) w.int(Tag.ADDITIONAL_GID, g);
  if (proc.user?.umask !== undefined) w.int(Tag.UMASK, proc.user.umask);
  for (const r of proc.rlimits ?? [])
    w.group(Tag.RLIMIT, (g) => g.int(Tag.RL_TYPE, (RLIMITS as Record<string, number>)[r.type]).int(Tag.RL_SOFT, r.soft).int(Tag.RL_HARD, r.hard));
  writeCaps(w, proc.capabilities);
  w.bool(Tag.NO_NEW_PRIVS, proc.noNewPrivileges);
  if (proc.oomScoreAdj !== undefined) w.int(Tag.OOM_SCORE_ADJ, proc.oomScoreAdj);
  w.bool(Tag.TERMINAL, proc.terminal).str(Tag.CONSOLE_SOCKET, input.consoleSocket);
  if (input.seccomp) w.bytes(Tag.SECCOMP_BPF, input.seccomp.bpf).int(Tag.SECCOMP_FLAGS, input.seccomp.flags);
  w.strs(Tag.CGROUP_DIR, input.cgroup.dirs).str(Tag.CGROUP_V2_DIR, input.cgroup.v2Dir);
  w.strs(Tag.CGROUP_RETURN_DIR, input.cgroup.returnDirs);
  for (const c of input.cgroupWrites ?? []) w.group(Tag.CGROUP_WRITE, (g) => g.str(Tag.KV_KEY, c.path).str(Tag.KV_VALUE, c.value));
  for (const d of input.deviceRules ?? [])
    w.group(Tag.DEVICE_RULE, (g) => {
      g.bool(Tag.DR_ALLOW, d.allow).int(Tag.DR_TYPE, d.type.charCodeAt(0)).int(Tag.DR_MAJOR, d.major).int(Tag.DR_MINOR, d.minor);
      g.int(Tag.DR_ACCESS, d.access);
    });
  w.str(Tag.STATE_JSON, input.stateJson).bool(Tag.DETACH, input.detach);
  if (input.preserveFds) w.int(Tag.PRESERVE_FDS, input.preserveFds);
  if (input.monitor) writeMonitorSettings(w, input.monitor);
  return w.finish();
}

const NS_PROC_NAME: Record<keyof typeof NAMESPACE_CLONE_FLAGS, string> = {
  pid: "pid", network: "net", mount: "mnt", ipc: "ipc", uts: "uts", user: "user", cgroup: "cgroup", time: "time",
};

/** A plan that only carries hooks (poststart / poststop run by `start` / `delete`). */
export function buildHooksPlan(spec: Spec, phase: "poststart" | "poststop", stateJson: string): Uint8Array | undefined {
  const hooks = spec.hooks?.[phase] ?? [];
  if (!hooks.length) return undefined;
  const w = new PlanWriter();
  w.int(Tag.VERSION, PLAN_VERSION).str(Tag.ARG, "hooks").str(Tag.STATE_JSON, stateJson);
  for (const h of hooks) writeHook(w, HookPhase[phase], h);
  return w.finish();
}
