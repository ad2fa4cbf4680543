// The flags of the verbs that fast-argv.ts parses, as the clipanion classes spell them.
// test/unit/fast-argv.test.ts checks each table against its class (names and arity), so
// a flag added to a class but not here fails the test instead of silently falling back.
import type { RunFlags } from "../engine/run-flags.ts";
import type { FlagSpec, VerbSpec } from "./fast-argv.ts";

const bool = (key: string, names: string): FlagSpec => ({ key, names: names.split(","), kind: "boolean" });
const str = (key: string, names: string): FlagSpec => ({ key, names: names.split(","), kind: "string" });
const arr = (key: string, names: string): FlagSpec => ({ key, names: names.split(","), kind: "array" });

/** EngineCommand (src/cli/engine/base.ts). */
const ENGINE_BASE = [str("root", "--root"), str("dataRoot", "--data-root"), bool("debug", "--debug")];

/** CreateOptionsCommand (src/cli/engine/run-options.ts): what `run` and `create` share. */
export const CREATE_FLAGS: FlagSpec[] = [
  bool("interactive", "-i,--interactive"), bool("tty", "-t,--tty"), str("name", "--name"), arr("env", "-e,--env"),
  arr("envFile", "--env-file"), str("workdir", "-w,--workdir"), str("user", "-u,--user"), str("entrypoint", "--entrypoint"),
  str("hostname", "--hostname"), arr("label", "-l,--label"), arr("volume", "-v,--volume"), arr("mount", "--mount"),
  arr("tmpfs", "--tmpfs"), str("network", "--network,--net"), arr("publish", "-p,--publish"), bool("publishAll", "-P,--publish-all"),
  str("ip", "--ip"), str("ip6", "--ip6"), arr("networkAlias", "--network-alias,--alias"), arr("dns", "--dns"), arr("dnsSearch", "--dns-search"),
  arr("dnsOption", "--dns-option,--dns-opt"), arr("addHost", "--add-host"), str("macAddress", "--mac-address"), str("memory", "-m,--memory"), str("memorySwap", "--memory-swap"),
  str("cpus", "--cpus"), str("cpuShares", "-c,--cpu-shares"), str("cpusetCpus", "--cpuset-cpus"), str("pidsLimit", "--pids-limit"),
  arr("ulimit", "--ulimit"), arr("capAdd", "--cap-add"), arr("capDrop", "--cap-drop"), bool("privileged", "--privileged"),
  arr("securityOpt", "--security-opt"), bool("readOnly", "--read-only"), bool("init", "--init"), str("restart", "--restart"),
  str("stopSignal", "--stop-signal"), str("stopTimeout", "--stop-timeout"), arr("logOpt", "--log-opt"), str("userns", "--userns"), arr("uidmap", "--uidmap"), arr("gidmap", "--gidmap"),
  arr("sysctl", "--sysctl"), arr("device", "--device"), str("platform", "--platform"), str("pull", "--pull"),
  str("cgroupParent", "--cgroup-parent"), bool("rm", "--rm"),
];

/** The create flags that were given, out of an object holding them by key (a command or a parse). */
export function runFlagsFrom(values: Record<string, unknown>, detach: boolean): RunFlags & { pull?: string; platform?: string } {
  const out: Record<string, unknown> = { detach };
  for (const { key } of CREATE_FLAGS) if (values[key] !== undefined) out[key] = values[key];
  return out as RunFlags;
}

/** `husk run` / `husk container run` (src/cli/engine/run.ts). */
export const ENGINE_RUN: VerbSpec = { flags: [...ENGINE_BASE, ...CREATE_FLAGS, bool("detach", "-d,--detach")], positionals: "image+rest" };

/** OciCommand (src/cli/oci/base.ts): runc's global flags, which normalizeArgv puts after the verb. */
const OCI_BASE = [str("root", "--root"), str("log", "--log"), str("logFormat", "--log-format"), bool("debug", "--debug"), bool("systemdCgroup", "--systemd-cgroup")];

/** BundleCommand (src/cli/oci/bundle-command.ts). */
const BUNDLE = [
  str("bundle", "--bundle,-b"), str("pidFile", "--pid-file"), str("consoleSocket", "--console-socket"), bool("noPivot", "--no-pivot"),
  bool("noNewKeyring", "--no-new-keyring"), str("preserveFds", "--preserve-fds"),
];

const one = { min: 1, max: 1 };

/** The OCI verbs containerd and podman call for every container. */
export const OCI_VERBS: Record<string, VerbSpec> = {
  run: { flags: [...OCI_BASE, ...BUNDLE, bool("detach", "--detach,-d"), bool("keep", "--keep")], positionals: one },
  create: { flags: [...OCI_BASE, ...BUNDLE], positionals: one },
  start: { flags: OCI_BASE, positionals: one },
  state: { flags: OCI_BASE, positionals: one },
  delete: { flags: [...OCI_BASE, bool("force", "--force,-f")], positionals: one },
  kill: { flags: [...OCI_BASE, bool("all", "--all,-a")], positionals: { min: 1, max: 2 } },
};
