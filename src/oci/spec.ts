/**
 * OCI runtime-spec 1.x: the config.json of a bundle and the state object that `husk oci
 * state` prints. Field names are the spec's JSON names. Only Linux fields are modelled;
 * fields for other platforms (windows, solaris, vm, zos) are tolerated by the validator
 * and kept as unknown extras.
 *
 * Besides the types, this module holds the spec's closed vocabularies (namespace types,
 * capability names, rlimit names, hook names, propagation modes) with the kernel numbers
 * that husk-core needs, so that the validator, `husk oci features` and the plan builder all
 * read one list.
 */
import type { LinuxSeccomp } from "./seccomp/types.ts";

/** The newest runtime-spec version husk understands and writes in `husk oci spec`. */
export const OCI_VERSION = "1.2.1";
/** The oldest runtime-spec version husk accepts. Any 1.x is accepted. */
export const OCI_VERSION_MIN = "1.0.0";

// ---------------------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------------------

/** Namespace `type` values, with the CLONE_NEW* flag of each (linux/sched.h). */
export const NAMESPACE_CLONE_FLAGS = {
  pid: 0x20000000, // CLONE_NEWPID
  network: 0x40000000, // CLONE_NEWNET
  mount: 0x00020000, // CLONE_NEWNS
  ipc: 0x08000000, // CLONE_NEWIPC
  uts: 0x04000000, // CLONE_NEWUTS
  user: 0x10000000, // CLONE_NEWUSER
  cgroup: 0x02000000, // CLONE_NEWCGROUP
  time: 0x00000080, // CLONE_NEWTIME
} as const;
export type LinuxNamespaceType = keyof typeof NAMESPACE_CLONE_FLAGS;
/** In the order the runtime-spec lists them. */
export const NAMESPACE_TYPES = Object.keys(NAMESPACE_CLONE_FLAGS) as readonly LinuxNamespaceType[];

/** Capability names with their numbers (linux/capability.h), CAP_CHOWN=0 … CAP_CHECKPOINT_RESTORE=40. */
export const CAPABILITIES = {
  CAP_CHOWN: 0,
  CAP_DAC_OVERRIDE: 1,
  CAP_DAC_READ_SEARCH: 2,
  CAP_FOWNER: 3,
  CAP_FSETID: 4,
  CAP_KILL: 5,
  CAP_SETGID: 6,
  CAP_SETUID: 7,
  CAP_SETPCAP: 8,
  CAP_LINUX_IMMUTABLE: 9,
  CAP_NET_BIND_SERVICE: 10,
  CAP_NET_BROADCAST: 11,
  CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13,
  CAP_IPC_LOCK: 14,
  CAP_IPC_OWNER: 15,
  CAP_SYS_MODULE: 16,
  CAP_SYS_RAWIO: 17,
  CAP_SYS_CHROOT: 18,
  CAP_SYS_PTRACE: 19,
  CAP_SYS_PACCT: 20,
  CAP_SYS_ADMIN: 21,
  CAP_SYS_BOOT: 22,
  CAP_SYS_NICE: 23,
  CAP_SYS_RESOURCE: 24,
  CAP_SYS_TIME: 25,
  CAP_SYS_TTY_CONFIG: 26,
  CAP_MKNOD: 27,
  CAP_LEASE: 28,
  CAP_AUDIT_WRITE: 29,
  CAP_AUDIT_CONTROL: 30,
  CAP_SETFCAP: 31,
  CAP_MAC_OVERRIDE: 32,
  CAP_MAC_ADMIN: 33,
  CAP_SYSLOG: 34,
  CAP_WAKE_ALARM: 35,
  CAP_BLOCK_SUSPEND: 36,
  CAP_AUDIT_READ: 37,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
  CAP_CHECKPOINT_RESTORE: 40,
} as const;
export type CapabilityName = keyof typeof CAPABILITIES;
/** All capability names, ordered by number. */
export const CAPABILITY_NAMES = Object.keys(CAPABILITIES) as readonly CapabilityName[];

/** rlimit names with their resource numbers (asm-generic/resource.h; same on x86_64 and arm64). */
export const RLIMITS = {
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
} as const;
export type RlimitType = keyof typeof RLIMITS;
export const RLIMIT_NAMES = Object.keys(RLIMITS) as readonly RlimitType[];

/** Hook phases, in the order they run. */
export const HOOK_NAMES = [
  "prestart",
  "createRuntime",
  "createContainer",
  "startContainer",
  "poststart",
  "poststop",
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export const ROOTFS_PROPAGATIONS = [
  "private",
  "rprivate",
  "slave",
  "rslave",
  "shared",
  "rshared",
  "unbindable",
  "runbindable",
] as const;
export type RootfsPropagation = (typeof ROOTFS_PROPAGATIONS)[number];

/** personality(2) domains (linux/personality.h). */
export const PERSONALITY_DOMAINS = { LINUX: 0x0000, LINUX32: 0x0008 } as const;
export type LinuxPersonalityDomain = keyof typeof PERSONALITY_DOMAINS;

export const DEVICE_TYPES = ["c", "b", "u", "p"] as const;
export type LinuxDeviceType = (typeof DEVICE_TYPES)[number];

export const SCHEDULER_POLICIES = [
  "SCHED_OTHER",
  "SCHED_FIFO",
  "SCHED_RR",
  "SCHED_BATCH",
  "SCHED_ISO",
  "SCHED_IDLE",
  "SCHED_DEADLINE",
] as const;
export type LinuxSchedulerPolicy = (typeof SCHEDULER_POLICIES)[number];

export const SCHEDULER_FLAGS = [
  "SCHED_FLAG_RESET_ON_FORK",
  "SCHED_FLAG_RECLAIM",
  "SCHED_FLAG_DL_OVERRUN",
  "SCHED_FLAG_KEEP_POLICY",
  "SCHED_FLAG_KEEP_PARAMS",
  "SCHED_FLAG_UTIL_CLAMP_MIN",
  "SCHED_FLAG_UTIL_CLAMP_MAX",
] as const;
export type LinuxSchedulerFlag = (typeof SCHEDULER_FLAGS)[number];

export const IOPRIO_CLASSES = ["IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"] as const;
export type IOPriorityClass = (typeof IOPRIO_CLASSES)[number];

/** Clocks that linux.timeOffsets may shift. */
export const TIME_OFFSET_CLOCKS = ["monotonic", "boottime"] as const;
export type TimeOffsetClock = (typeof TIME_OFFSET_CLOCKS)[number];

// ---------------------------------------------------------------------------------------
// config.json
// ---------------------------------------------------------------------------------------

export interface Spec {
  ociVersion: string;
  root?: Root;
  mounts?: Mount[];
  process?: Process;
  hostname?: string;
  domainname?: string;
  hooks?: Hooks;
  annotations?: Record<string, string>;
  linux?: Linux;
}

export interface Root {
  /** Absolute, or relative to the bundle directory. */
  path: string;
  readonly?: boolean;
}

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
  /** Idmapped mount: mappings applied to this mount only. */
  uidMappings?: LinuxIDMapping[];
  gidMappings?: LinuxIDMapping[];
}

export interface Process {
  terminal?: boolean;
  consoleSize?: Box;
  user?: User;
  args?: string[];
  /** Windows only; tolerated. */
  commandLine?: string;
  env?: string[];
  cwd: string;
  capabilities?: LinuxCapabilities;
  rlimits?: POSIXRlimit[];
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
  noNewPrivileges?: boolean;
  scheduler?: Scheduler;
  ioPriority?: LinuxIOPriority;
  execCPUAffinity?: CPUAffinity;
}

export interface Box {
  height: number;
  width: number;
}

export interface User {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
  /** Windows only; tolerated. */
  username?: string;
}

export interface LinuxCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}
export const CAPABILITY_SETS = ["bounding", "effective", "inheritable", "permitted", "ambient"] as const;
export type CapabilitySet = (typeof CAPABILITY_SETS)[number];

export interface POSIXRlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface Scheduler {
  policy: LinuxSchedulerPolicy;
  nice?: number;
  priority?: number;
  flags?: LinuxSchedulerFlag[];
  runtime?: number;
  deadline?: number;
  period?: number;
}

export interface LinuxIOPriority {
  class: IOPriorityClass;
  priority: number;
}

/** CPU affinity for `exec` processes (not for init). Lists such as "0-3,7". */
export interface CPUAffinity {
  initial?: string;
  final?: string;
}

export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  /** Seconds; must be positive. */
  timeout?: number;
}

export type Hooks = { [K in HookName]?: Hook[] };

export interface Linux {
  namespaces?: LinuxNamespace[];
  uidMappings?: LinuxIDMapping[];
  gidMappings?: LinuxIDMapping[];
  timeOffsets?: { [K in TimeOffsetClock]?: LinuxTimeOffset };
  devices?: LinuxDevice[];
  netDevices?: Record<string, LinuxNetDevice>;
  cgroupsPath?: string;
  resources?: LinuxResources;
  intelRdt?: LinuxIntelRdt;
  sysctl?: Record<string, string>;
  seccomp?: LinuxSeccomp;
  rootfsPropagation?: RootfsPropagation;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  mountLabel?: string;
  personality?: LinuxPersonality;
}

export interface LinuxNamespace {
  type: LinuxNamespaceType;
  /** Join this namespace instead of creating one. */
  path?: string;
}

export interface LinuxIDMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface LinuxTimeOffset {
  secs?: number;
  nanosecs?: number;
}

export interface LinuxDevice {
  path: string;
  type: LinuxDeviceType;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface LinuxNetDevice {
  /** Name inside the container; defaults to the host name (the map key). */
  name?: string;
}

export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: LinuxMemory;
  cpu?: LinuxCPU;
  pids?: LinuxPids;
  blockIO?: LinuxBlockIO;
  hugepageLimits?: LinuxHugepageLimit[];
  network?: LinuxNetwork;
  rdma?: Record<string, LinuxRdma>;
  unified?: Record<string, string>;
}

export interface LinuxDeviceCgroup {
  allow: boolean;
  /** "a" (all), "c" or "b". */
  type?: string;
  major?: number;
  minor?: number;
  /** Some of "r", "w", "m". */
  access?: string;
}

export interface LinuxMemory {
  limit?: number;
  reservation?: number;
  swap?: number;
  /** Deprecated by the spec; kernels since 5.4 ignore it. */
  kernel?: number;
  kernelTCP?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
  useHierarchy?: boolean;
  checkBeforeUpdate?: boolean;
}

export interface LinuxCPU {
  shares?: number;
  quota?: number;
  burst?: number;
  period?: number;
  realtimeRuntime?: number;
  realtimePeriod?: number;
  cpus?: string;
  mems?: string;
  idle?: number;
}

export interface LinuxPids {
  limit: number;
}

export interface LinuxBlockIODevice {
  major: number;
  minor: number;
}

export interface LinuxWeightDevice extends LinuxBlockIODevice {
  weight?: number;
  leafWeight?: number;
}

export interface LinuxThrottleDevice extends LinuxBlockIODevice {
  rate: number;
}

export interface LinuxBlockIO {
  weight?: number;
  leafWeight?: number;
  weightDevice?: LinuxWeightDevice[];
  throttleReadBpsDevice?: LinuxThrottleDevice[];
  throttleWriteBpsDevice?: LinuxThrottleDevice[];
  throttleReadIOPSDevice?: LinuxThrottleDevice[];
  throttleWriteIOPSDevice?: LinuxThrottleDevice[];
}

export interface LinuxHugepageLimit {
  /** "<size><unit>B", e.g. "2MB", "1GB". */
  pageSize: string;
  limit: number;
}

export interface LinuxInterfacePriority {
  name: string;
  priority: number;
}

export interface LinuxNetwork {
  classID?: number;
  priorities?: LinuxInterfacePriority[];
}

export interface LinuxRdma {
  hcaHandles?: number;
  hcaObjects?: number;
}

export interface LinuxIntelRdt {
  closID?: string;
  l3CacheSchema?: string;
  memBwSchema?: string;
  /** Written as is to the resctrl schemata file (newer specs use an array of lines). */
  schemata?: string | string[];
  enableCMT?: boolean;
  enableMBM?: boolean;
  enableMonitoring?: boolean;
}

export interface LinuxPersonality {
  domain: LinuxPersonalityDomain;
  flags?: string[];
}

// ---------------------------------------------------------------------------------------
// State (runtime.md): what `state` prints and what hooks read on stdin
// ---------------------------------------------------------------------------------------

export const CONTAINER_STATUSES = ["creating", "created", "running", "stopped"] as const;
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number];

export interface State {
  ociVersion: string;
  id: string;
  status: ContainerStatus;
  /** Present when status is "created" or "running". */
  pid?: number;
  /** Absolute path to the bundle directory. */
  bundle: string;
  annotations?: Record<string, string>;
}
