// The flags `husk run` and `husk create` share, as clipanion options on one base class,
// so the two commands never drift apart.
import { Option } from "clipanion";
import type { RunFlags } from "../../engine/run-flags.ts";
import { EngineCommand } from "./base.ts";
import { runFlagsFrom } from "../fast-argv-tables.ts";

export abstract class CreateOptionsCommand extends EngineCommand {
  protected override failCode = 125;
  interactive = Option.Boolean("-i,--interactive", { description: "keep stdin open" });
  tty = Option.Boolean("-t,--tty", { description: "allocate a pseudo-terminal" });
  name = Option.String("--name", { description: "the container's name (default: a generated one)" });
  env = Option.Array("-e,--env", { description: "set KEY=VALUE (or copy KEY from here)" });
  envFile = Option.Array("--env-file", { description: "read KEY=VALUE lines from a file" });
  workdir = Option.String("-w,--workdir", { description: "working directory inside the container" });
  user = Option.String("-u,--user", { description: "USER[:GROUP] (names or ids)" });
  entrypoint = Option.String("--entrypoint", { description: "replace the image's entrypoint" });
  hostname = Option.String("--hostname", { description: "the container's host name" });
  label = Option.Array("-l,--label", { description: "KEY=VALUE metadata" });
  volume = Option.Array("-v,--volume", { description: "HOST:CONTAINER[:ro], NAME:CONTAINER or CONTAINER" });
  mount = Option.Array("--mount", { description: "type=bind|volume|tmpfs,source=..,target=..[,readonly]" });
  tmpfs = Option.Array("--tmpfs", { description: "CONTAINER[:OPTIONS] tmpfs mount" });
  network = Option.String("--network,--net", { description: "bridge (default), a network NAME, none, host, container:NAME, ns:PATH, netns:NAME" });
  publish = Option.Array("-p,--publish", { description: "[IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp] published on the host" });
  publishAll = Option.Boolean("-P,--publish-all", { description: "publish every exposed port on a free host port" });
  ip = Option.String("--ip", { description: "IPv4 address on a user-defined network" });
  ip6 = Option.String("--ip6", { description: "IPv6 address on a user-defined network" });
  networkAlias = Option.Array("--network-alias,--alias", { description: "another name of the container on its network" });
  dns = Option.Array("--dns", { description: "a nameserver for /etc/resolv.conf" });
  dnsSearch = Option.Array("--dns-search", { description: "a search domain for /etc/resolv.conf" });
  dnsOption = Option.Array("--dns-option,--dns-opt", { description: "an option for /etc/resolv.conf (ndots:2)" });
  addHost = Option.Array("--add-host", { description: "NAME:IP line for /etc/hosts" });
  macAddress = Option.String("--mac-address", { description: "the MAC address of eth0" });
  memory = Option.String("-m,--memory", { description: "memory limit (e.g. 256m)" });
  memorySwap = Option.String("--memory-swap", { description: "memory plus swap limit; -1 for unlimited swap" });
  cpus = Option.String("--cpus", { description: "number of cpus (e.g. 1.5)" });
  cpuShares = Option.String("-c,--cpu-shares", { description: "relative cpu weight" });
  cpusetCpus = Option.String("--cpuset-cpus", { description: "cpus to run on (e.g. 0-1)" });
  pidsLimit = Option.String("--pids-limit", { description: "most processes (-1: unlimited)" });
  ulimit = Option.Array("--ulimit", { description: "NAME=SOFT[:HARD]" });
  capAdd = Option.Array("--cap-add", { description: "add a capability (or ALL)" });
  capDrop = Option.Array("--cap-drop", { description: "drop a capability (or ALL)" });
  privileged = Option.Boolean("--privileged", { description: "all capabilities, no seccomp, no masked paths" });
  securityOpt = Option.Array("--security-opt", { description: "seccomp=PROFILE.json|unconfined, no-new-privileges" });
  readOnly = Option.Boolean("--read-only", { description: "mount the root filesystem read-only" });
  init = Option.Boolean("--init", { description: "run a small init (catatonit) as pid 1" });
  restart = Option.String("--restart", { description: "no, on-failure[:N], always, unless-stopped" });
  stopSignal = Option.String("--stop-signal", { description: "signal that stops the container" });
  stopTimeout = Option.String("--stop-timeout", { description: "seconds before SIGKILL on stop" });
  logOpt = Option.Array("--log-opt", { description: "max-size=SIZE, max-file=N" });
  userns = Option.String("--userns", { description: "host (default), auto[:size=N]: a fresh range of host ids per container" });
  uidmap = Option.Array("--uidmap", { description: "CONTAINER:HOST:SIZE uid mapping (a user namespace; repeatable)" });
  gidmap = Option.Array("--gidmap", { description: "CONTAINER:HOST:SIZE gid mapping (default: as --uidmap)" });
  sysctl = Option.Array("--sysctl", { description: "KEY=VALUE namespaced kernel setting" });
  device = Option.Array("--device", { description: "HOST[:CONTAINER][:rwm]" });
  platform = Option.String("--platform", { description: "os/arch to pull and run" });
  pull = Option.String("--pull", { description: "missing (default), always, never" });
  cgroupParent = Option.String("--cgroup-parent", { description: "parent cgroup (relative: under husk's own)" });
  rm = Option.Boolean("--rm", { description: "remove the container when it exits" });

  protected flags(detach: boolean): RunFlags & { pull?: string; platform?: string } {
    return runFlagsFrom(this as unknown as Record<string, unknown>, detach);
  }
}
