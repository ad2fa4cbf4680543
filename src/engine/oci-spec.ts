// A container record (docker's Config + HostConfig) and its image into the runtime-spec
// config.json that husk-core runs, with docker's defaults: capability set, seccomp
// profile, masked and read-only paths, /etc files bound in. Pure given its inputs.
import { readFileSync, statSync } from "node:fs";
import { type ImageConfig, imageProcess } from "../image/config-to-process.ts";
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from "../oci/default-spec.ts";
import { dockerDefaultSeccomp } from "../oci/seccomp/docker-default.ts";
import { CAPABILITIES, type LinuxNamespace, type Mount, OCI_VERSION, type Spec } from "../oci/spec.ts";
import { validateSpec } from "../oci/validate.ts";
import { HuskError } from "../runtime/errors.ts";
import type { MountSpec } from "./docker-types.ts";
import { effectiveCapabilities, parseSecurityOpts } from "./flags/security.ts";
import type { ContainerRecord } from "./record.ts";

/** Where --init's binary appears inside the container. */
export const INIT_PATH = "/dev/init";

export interface SpecInput {
  record: ContainerRecord;
  image: ImageConfig;
  /** The mounted snapshot (the bundle's root.path). */
  rootfs: string;
  etcMounts: { source: string; destination: string }[];
  /** A named volume's host directory (made on first use). */
  volumeSource: (name: string) => string;
  /** The network namespace to join; undefined with NetworkMode host = the host's. */
  netnsPath?: string;
  /** Host path of a static init for --init. */
  initBinary?: string;
  /** The highest capability number this kernel knows. */
  lastCap: number;
  /** husk's own bounding set: --privileged and --cap-add ALL cannot give more. */
  ownBounding?: bigint;
  cgroupsPath: string;
  arch?: string;
  kernelRelease?: string;
  readFile?: (path: string) => string;
  statDevice?: (path: string) => HostDevice;
}

export interface HostDevice {
  type: "c" | "b";
  major: number;
  minor: number;
  mode: number;
}

/** CapBnd of this process (what any container of ours can hold at most). */
export function ownBoundingSet(status = "/proc/self/status"): bigint | undefined {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync(status, "utf8"));
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

/** A --device path on the host: a char or block device, as stat(2) sees it. */
export function statHostDevice(path: string): HostDevice {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new HuskError(`--device ${path}: ${(e as NodeJS.ErrnoException).code ?? "EIO"}`, "give a device node that exists on the host", 125);
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw new HuskError(`--device ${path}: not a device node: ENODEV`, "give a /dev path", 125);
  const rdev = st.rdev;
  const hi = Math.floor(rdev / 2 ** 32);
  const lo = rdev % 2 ** 32;
  return {
    type: st.isCharacterDevice() ? "c" : "b",
    major: ((lo >>> 8) & 0xfff) | (hi & ~0xfff),
    minor: (lo & 0xff) | ((lo >>> 12) & 0xfff00),
    mode: st.mode & 0o7777,
  };
}

const MASKED = [...DEFAULT_MASKED_PATHS, "/sys/devices/virtual/powercap"];

function baseMounts(privileged: boolean): Mount[] {
  return [
    { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
    { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", privileged ? "rw" : "ro"] },
    { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro"] },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
    { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
  ];
}

function userMount(m: MountSpec, volumeSource: (n: string) => string, userns: boolean): Mount {
  if (m.Type === "tmpfs") return { destination: m.Target, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", ...(m.ReadOnly ? ["ro"] : []), ...m.Options] };
  const source = m.Type === "volume" ? volumeSource(m.Source) : m.Source;
  const propagation = m.Options.find((o) => /^r?(shared|slave|private)$/.test(o)) ?? "rprivate";
  // In a user namespace a host bind is idmapped with the container's mappings, so host
  // root's files are the container root's (docs/engine-userns.md). Volumes are not:
  // they hold host ids, as the snapshot's upper does (their copy-up comes from it).
  const idmap = userns && m.Type === "bind" ? ["idmap"] : [];
  return { destination: m.Target, type: "bind", source, options: ["rbind", m.ReadOnly ? "ro" : "rw", propagation, ...idmap] };
}

function seccompProfile(input: SpecInput, caps: string[]) {
  const hc = input.record.hostConfig;
  const sec = parseSecurityOpts(hc.SecurityOpt);
  if (hc.Privileged || sec.seccomp === "unconfined") return undefined;
  if (sec.seccomp === "default") return dockerDefaultSeccomp({ capabilities: caps, arch: input.arch ?? process.arch, kernelRelease: input.kernelRelease });
  let text: string;
  try {
    text = (input.readFile ?? ((p) => readFileSync(p, "utf8")))(sec.seccomp.file);
  } catch (e) {
    throw new HuskError(`--security-opt seccomp=${sec.seccomp.file}: cannot read the profile: ${(e as NodeJS.ErrnoException).code ?? "EIO"}`, "give a readable JSON seccomp profile, or seccomp=unconfined", 125);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HuskError(`--security-opt seccomp=${sec.seccomp.file}: not valid JSON`, "the file must hold a seccomp profile as docker writes them", 125);
  }
}

export function buildContainerSpec(input: SpecInput): Spec {
  const { record } = input;
  const cfg = record.config;
  const hc = record.hostConfig;
  const proc = imageProcess(input.image, input.rootfs, {
    entrypoint: cfg.Entrypoint ?? (cfg.Entrypoint === null && input.image.Entrypoint ? [] : undefined),
    cmd: cfg.Cmd ?? undefined,
    env: cfg.Env,
    workdir: cfg.WorkingDir || undefined,
    user: cfg.User,
  });
  const hostname = cfg.Hostname || record.id.slice(0, 12);
  const env = [...(proc.env ?? [])];
  const setDefault = (k: string, v: string) => {
    if (!env.some((e) => e.startsWith(`${k}=`))) env.push(`${k}=${v}`);
  };
  setDefault("HOSTNAME", hostname);
  if (cfg.Tty) setDefault("TERM", "xterm");
  const own = input.ownBounding;
  const caps = effectiveCapabilities(hc.CapAdd, hc.CapDrop, hc.Privileged, input.lastCap).filter(
    (c) => own === undefined || (own >> BigInt(CAPABILITIES[c as keyof typeof CAPABILITIES])) & 1n,
  );
  const sec = parseSecurityOpts(hc.SecurityOpt);

  const mounts = baseMounts(hc.Privileged);
  for (const m of input.etcMounts) mounts.push({ destination: m.destination, type: "bind", source: m.source, options: ["rbind", "rprivate"] });
  for (const m of hc.Mounts) mounts.push(userMount(m, input.volumeSource, !!record.userns));
  for (const [dst, opts] of Object.entries(hc.Tmpfs)) mounts.push({ destination: dst, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "noexec", ...opts.split(",").filter(Boolean)] });
  let args = proc.args ?? [];
  if (hc.Init) {
    if (!input.initBinary) throw new HuskError("--init: no static init binary found on this host", "install catatonit (Debian: apt-get install catatonit) or set HUSK_INIT to a static tini/catatonit", 125);
    mounts.push({ destination: INIT_PATH, type: "bind", source: input.initBinary, options: ["bind", "ro", "nosuid", "nodev"] });
    args = [INIT_PATH, "--", ...args];
  }

  const namespaces: LinuxNamespace[] = [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, { type: "cgroup" }];
  if (hc.NetworkMode !== "host") namespaces.push(input.netnsPath ? { type: "network", path: input.netnsPath } : { type: "network" });
  if (record.userns) namespaces.unshift({ type: "user" });

  const devices = hc.Devices.map((d) => ({ d, dev: (input.statDevice ?? statHostDevice)(d.PathOnHost) }));
  const cpuQuota = hc.NanoCpus ? Math.round((hc.NanoCpus * 100000) / 1e9) : undefined;
  const spec: Spec = {
    ociVersion: OCI_VERSION,
    root: { path: input.rootfs, readonly: hc.ReadonlyRootfs },
    hostname,
    mounts,
    process: {
      terminal: cfg.Tty,
      user: proc.user,
      args,
      env,
      cwd: proc.cwd ?? "/",
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: hc.Ulimits.map((u) => ({ type: `RLIMIT_${u.Name.toUpperCase()}`, soft: u.Soft < 0 ? Number.MAX_SAFE_INTEGER : u.Soft, hard: u.Hard < 0 ? Number.MAX_SAFE_INTEGER : u.Hard })),
      noNewPrivileges: sec.noNewPrivileges,
    },
    annotations: { "io.husk.engine.name": record.name, ...Object.fromEntries(Object.entries(cfg.Labels)) },
    linux: {
      namespaces,
      cgroupsPath: input.cgroupsPath,
      ...(record.userns ? { uidMappings: record.userns.uidMappings, gidMappings: record.userns.gidMappings } : {}),
      ...(Object.keys(hc.Sysctls).length ? { sysctl: hc.Sysctls } : {}),
      maskedPaths: hc.Privileged ? [] : MASKED,
      readonlyPaths: hc.Privileged ? [] : [...DEFAULT_READONLY_PATHS],
      resources: {
        devices: hc.Privileged ? [{ allow: true, access: "rwm" }] : [{ allow: false, access: "rwm" }, ...devices.map(({ d, dev }) => ({ allow: true, type: dev.type, major: dev.major, minor: dev.minor, access: d.CgroupPermissions }))],
        ...(hc.Memory ? { memory: { limit: hc.Memory, ...(hc.MemorySwap ? { swap: hc.MemorySwap } : {}) } } : {}),
        ...(cpuQuota || hc.CpuShares || hc.CpusetCpus ? { cpu: { ...(cpuQuota ? { quota: cpuQuota, period: 100000 } : {}), ...(hc.CpuShares ? { shares: hc.CpuShares } : {}), ...(hc.CpusetCpus ? { cpus: hc.CpusetCpus } : {}) } } : {}),
        ...(hc.PidsLimit > 0 ? { pids: { limit: hc.PidsLimit } } : {}),
      },
      devices: devices.map(({ d, dev }) => ({ path: d.PathInContainer, type: dev.type, major: dev.major, minor: dev.minor, fileMode: dev.mode, uid: 0, gid: 0 })),
    },
  };
  const seccomp = seccompProfile(input, caps);
  // docker's default profile is husk's own output (test/unit/engine-spec.test.ts checks
  // that it validates); checking its ~400 rules again costs milliseconds on every run, so
  // only a profile from a file goes through validation.
  const trusted = seccomp && parseSecurityOpts(hc.SecurityOpt).seccomp === "default";
  if (seccomp && !trusted) spec.linux!.seccomp = seccomp;
  let valid: Spec;
  try {
    valid = validateSpec(spec as unknown) as Spec;
  } catch (e) {
    throw new HuskError((e as Error).message, "check the flag values", 125);
  }
  if (trusted) valid.linux!.seccomp = seccomp;
  return valid;
}
