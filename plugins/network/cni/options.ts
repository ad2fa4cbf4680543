// The cni driver's network options (`husk network create -d cni -o KEY=VALUE NAME`), and
// their defaults. createNetwork writes the resolved values back into the network, so later
// commands use the same dirs even when the environment differs.
import type { NetworkConfig } from "../../../src/plugin/api.ts";
import { DEFAULT_BIN_DIRS, DEFAULT_CONF_DIR } from "../../../src/network/cni/config-files.ts";

export const OPT_NAME = "com.husk.cni.name";             // the CNI network (conflist "name"); default: the husk network's name
export const OPT_CONF_DIR = "com.husk.cni.conf-dir";     // where conflists are read; default $HUSK_CNI_CONF_DIR or /etc/cni/net.d
export const OPT_BIN_DIR = "com.husk.cni.bin-dir";       // plugin executables, ":"-separated; default $HUSK_CNI_PATH or /opt/cni/bin:/usr/lib/cni
export const OPT_TIMEOUT = "com.husk.cni.timeout";       // seconds per plugin call; default 60
export const OPT_HOST_NETNS = "com.husk.cni.host-netns"; // run the plugins with this netns as the host side (tests)

export const KNOWN_OPTIONS = [OPT_NAME, OPT_CONF_DIR, OPT_BIN_DIR, OPT_TIMEOUT, OPT_HOST_NETNS];
const DEFAULT_TIMEOUT_S = 60;

export interface CniSettings {
  cniName: string;
  confDir: string;
  binDirs: string[];
  timeoutMs: number;
  hostNetns?: string;
}

/** Options as given, completed with the defaults; throws a plain message on a bad value. */
export function completeOptions(name: string, given: Record<string, string>, env: Record<string, string | undefined> = process.env): Record<string, string> {
  const unknown = Object.keys(given).filter((k) => !KNOWN_OPTIONS.includes(k));
  if (unknown.length) throw new Error(`unknown option ${unknown.join(", ")} (known: ${KNOWN_OPTIONS.join(", ")})`);
  const timeout = given[OPT_TIMEOUT] ?? String(DEFAULT_TIMEOUT_S);
  if (!/^\d+(\.\d+)?$/.test(timeout) || Number(timeout) <= 0) throw new Error(`${OPT_TIMEOUT}=${timeout}: expected a number of seconds above 0`);
  const out: Record<string, string> = {
    [OPT_NAME]: given[OPT_NAME] ?? name,
    [OPT_CONF_DIR]: given[OPT_CONF_DIR] ?? env.HUSK_CNI_CONF_DIR ?? DEFAULT_CONF_DIR,
    [OPT_BIN_DIR]: given[OPT_BIN_DIR] ?? env.HUSK_CNI_PATH ?? DEFAULT_BIN_DIRS.join(":"),
    [OPT_TIMEOUT]: timeout,
  };
  if (given[OPT_HOST_NETNS]) out[OPT_HOST_NETNS] = given[OPT_HOST_NETNS];
  return out;
}

export function settingsOf(net: NetworkConfig): CniSettings {
  const o = completeOptions(net.name, net.options);
  return {
    cniName: o[OPT_NAME]!,
    confDir: o[OPT_CONF_DIR]!,
    binDirs: o[OPT_BIN_DIR]!.split(":").filter(Boolean),
    timeoutMs: Number(o[OPT_TIMEOUT]) * 1000,
    hostNetns: o[OPT_HOST_NETNS],
  };
}
