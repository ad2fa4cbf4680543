// What each plugin of a list reads on stdin (CNI spec, "deriving execution configuration"):
// its own object from the list, with the list's name and cniVersion put in, runtimeConfig
// holding the values of the capabilities it declares (and only those), and prevResult.
// Also the environment every plugin of a list gets.
import type { CniResult, NetConfList, PluginConf, RuntimeConf } from "./types.ts";

export type CniCommand = "ADD" | "DEL" | "CHECK" | "VERSION";

export function pluginStdin(list: NetConfList, plugin: PluginConf, rt: RuntimeConf, prevResult?: CniResult): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [cap, on] of Object.entries(plugin.capabilities ?? {}))
    if (on === true && rt.capabilityArgs[cap] !== undefined) runtimeConfig[cap] = rt.capabilityArgs[cap];
  if (Object.keys(runtimeConfig).length) conf.runtimeConfig = runtimeConfig;
  else delete conf.runtimeConfig; // a value written in the file is not the runtime's to pass on
  if (prevResult) conf.prevResult = prevResult;
  else delete conf.prevResult;
  return conf;
}

/** CNI_ARGS: alphanumeric K=V pairs joined by ";". Refuses what would break the format. */
export function cniArgsString(args: [string, string][]): string {
  for (const [k, v] of args)
    if (!/^[A-Za-z0-9_]+$/.test(k) || /[;=]/.test(v)) throw new Error(`CNI_ARGS pair "${k}=${v}" must be an alphanumeric key and a value without ';' or '='`);
  return args.map(([k, v]) => `${k}=${v}`).join(";");
}

/** The CNI_* variables, on top of the caller's environment minus any CNI_* it had. */
export function pluginEnv(command: CniCommand, rt: RuntimeConf | undefined, binDirs: string[], base: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !k.startsWith("CNI_")) env[k] = v;
  env.CNI_COMMAND = command;
  env.CNI_PATH = binDirs.join(":");
  if (rt) {
    env.CNI_CONTAINERID = rt.containerId;
    env.CNI_IFNAME = rt.ifName;
    if (rt.netns) env.CNI_NETNS = rt.netns;
    env.CNI_ARGS = cniArgsString(rt.args);
  }
  return env;
}

/** Compares two "X.Y.Z" versions: <0, 0, >0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d) return d;
  }
  return 0;
}
