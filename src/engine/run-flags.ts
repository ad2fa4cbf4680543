// `husk run`/`create` flags, parsed and checked, into docker's Config and HostConfig.
// Pure apart from reading --env-file: every rule here is unit-tested without root.
import { availableParallelism } from "node:os";
import type { ImageConfig } from "../image/config-to-process.ts";
import type { ContainerConfig, HostConfig, MountSpec } from "./docker-types.ts";
import { parseEnv, parseLabels, parseSysctls } from "./flags/env.ts";
import { parseMountFlag, parseTmpfs, parseVolume } from "./flags/mounts.ts";
import { parseLogOpts, parseNetwork, parseRestart, parseStopSignal, parseStopTimeout } from "./flags/policies.ts";
import { parseUsernsFlags, usernsModeText } from "./userns-flags.ts";
import { parseCpus, parseCpuset, parseCpuShares, parseDevice, parseMemory, parseMemorySwap, parsePidsLimit, parseUlimit } from "./flags/resources.ts";
import { effectiveCapabilities, parseSecurityOpts } from "./flags/security.ts";
import { badValue } from "./flags/bad-value.ts";
import { type NetworkFlags, networkSettings } from "./network-settings.ts";
import type { EndpointSettings } from "./network-types.ts";

/** The flags as the CLI received them (strings, as typed). */
export interface RunFlags extends NetworkFlags {
  detach?: boolean;
  rm?: boolean;
  interactive?: boolean;
  tty?: boolean;
  name?: string;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  hostname?: string;
  label?: string[];
  volume?: string[];
  mount?: string[];
  tmpfs?: string[];
  network?: string;
  memory?: string;
  memorySwap?: string;
  cpus?: string;
  cpuShares?: string;
  cpusetCpus?: string;
  pidsLimit?: string;
  ulimit?: string[];
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  securityOpt?: string[];
  readOnly?: boolean;
  init?: boolean;
  restart?: string;
  stopSignal?: string;
  stopTimeout?: string;
  logOpt?: string[];
  userns?: string;
  uidmap?: string[];
  gidmap?: string[];
  sysctl?: string[];
  device?: string[];
  cgroupParent?: string;
}

export interface ContainerSettings {
  config: ContainerConfig;
  hostConfig: HostConfig;
  networks?: Record<string, EndpointSettings>;
}

export function containerSettings(flags: RunFlags, image: ImageConfig, imageRef: string, cmd: string[], hostCpus = availableParallelism()): ContainerSettings {
  if (flags.rm && flags.restart && flags.restart !== "no") throw badValue("--restart", flags.restart, "conflicts with --rm (a container removed on exit cannot restart)");
  if (flags.detach && flags.rm === undefined) {
    // nothing: docker allows -d --rm
  }
  if (flags.hostname !== undefined && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(flags.hostname)) throw badValue("--hostname", flags.hostname, "expected a host name (letters, digits, '.', '-'; at most 63)");
  if (flags.workdir !== undefined && !flags.workdir.startsWith("/")) throw badValue("--workdir", flags.workdir, "must be an absolute path");
  const network = parseNetwork(flags.network);
  if (flags.network?.startsWith("container:") || network.mode === "host") {
    if (flags.hostname !== undefined && network.mode !== "host") throw badValue("--hostname", flags.hostname, "conflicts with --network container:...");
  }
  const net = networkSettings(flags, network, image);
  const memory = parseMemory(flags.memory);
  const mounts: MountSpec[] = [...(flags.mount ?? []).map(parseMountFlag)];
  const binds: string[] = [];
  for (const v of flags.volume ?? []) {
    const m = parseVolume(v);
    mounts.push(m);
    if (m.Type === "bind" || m.Source) binds.push(v);
  }
  const tmpfs: Record<string, string> = {};
  for (const t of flags.tmpfs ?? []) {
    const [dst, opts] = parseTmpfs(t);
    tmpfs[dst] = opts;
  }
  const targets = [...mounts.map((m) => m.Target), ...Object.keys(tmpfs)];
  const dup = targets.find((t, i) => targets.indexOf(t) !== i);
  if (dup) throw badValue("--volume/--mount/--tmpfs", dup, "two mounts have the same container path");
  const caps = effectiveCapabilities(flags.capAdd ?? [], flags.capDrop ?? [], false, -1); // validates names
  void caps;
  const security = parseSecurityOpts(flags.securityOpt ?? []);
  void security;
  const entrypoint = flags.entrypoint === undefined ? (image.Entrypoint ?? null) : flags.entrypoint === "" ? null : [flags.entrypoint];
  const config: ContainerConfig = {
    Hostname: flags.hostname ?? "",
    Domainname: "",
    User: flags.user ?? image.User ?? "",
    AttachStdin: !!flags.interactive && !flags.detach,
    AttachStdout: !flags.detach,
    AttachStderr: !flags.detach,
    ...(image.ExposedPorts ? { ExposedPorts: image.ExposedPorts } : {}),
    Tty: !!flags.tty,
    OpenStdin: !!flags.interactive,
    StdinOnce: !!flags.interactive && !flags.detach,
    Env: parseEnv(flags.env ?? [], flags.envFile ?? []),
    Cmd: cmd.length ? cmd : flags.entrypoint !== undefined ? null : (image.Cmd ?? null),
    Image: imageRef,
    Volumes: image.Volumes ?? null,
    WorkingDir: flags.workdir ?? image.WorkingDir ?? "",
    Entrypoint: entrypoint,
    Labels: { ...(image.Labels ?? {}), ...parseLabels(flags.label ?? []) },
    StopSignal: parseStopSignal(flags.stopSignal, image.StopSignal),
    ...(flags.stopTimeout !== undefined ? { StopTimeout: parseStopTimeout(flags.stopTimeout) } : {}),
    ...net.config,
  };
  const hostConfig: HostConfig = {
    Binds: binds,
    Mounts: mounts,
    Tmpfs: tmpfs,
    NetworkMode: network.mode === "container" ? `container:${network.ref}` : network.mode === "ns" ? `ns:${network.path}` : network.mode === "network" ? network.name : network.mode,
    RestartPolicy: parseRestart(flags.restart),
    AutoRemove: !!flags.rm,
    Privileged: !!flags.privileged,
    ReadonlyRootfs: !!flags.readOnly,
    Init: !!flags.init,
    CapAdd: flags.capAdd ?? [],
    CapDrop: flags.capDrop ?? [],
    SecurityOpt: flags.securityOpt ?? [],
    Memory: memory,
    MemorySwap: parseMemorySwap(flags.memorySwap, memory),
    NanoCpus: parseCpus(flags.cpus, hostCpus),
    CpuShares: parseCpuShares(flags.cpuShares),
    CpusetCpus: parseCpuset(flags.cpusetCpus, hostCpus),
    PidsLimit: parsePidsLimit(flags.pidsLimit),
    Ulimits: (flags.ulimit ?? []).map(parseUlimit),
    Sysctls: parseSysctls(flags.sysctl ?? []),
    Devices: (flags.device ?? []).map(parseDevice),
    UsernsMode: usernsModeText(parseUsernsFlags(flags.userns, flags.uidmap, flags.gidmap)),
    CgroupParent: flags.cgroupParent ?? "",
    LogConfig: { Type: "k8s-file", Config: parseLogOpts(flags.logOpt ?? []) },
    ...net.hostConfig,
  };
  return { config, hostConfig, ...(net.networks ? { networks: net.networks } : {}) };
}
