// CNI (Container Network Interface) types, as the CNI spec 1.0 describes them: network
// configuration lists read from disk, the result a plugin prints, and the per-attachment
// parameters the runtime passes in the environment.

/** The spec versions this runtime can drive. CHECK exists from 0.4.0 on. */
export const CNI_VERSION = "1.0.0";
export const SUPPORTED_CNI_VERSIONS = ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"];

/** One plugin's configuration object inside a list ("type" names the executable). */
export interface PluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

/** A network configuration list (a .conflist, or a single .conf wrapped in one). */
export interface NetConfList {
  cniVersion: string;
  name: string;
  disableCheck?: boolean;
  plugins: PluginConf[];
  /** the file it came from (not part of the spec) */
  source?: string;
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}
export interface CniIp {
  address: string;          // CIDR
  gateway?: string;
  interface?: number;       // index into interfaces
}
export interface CniRoute {
  dst: string;
  gw?: string;
}
export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/** A result in the 1.0 shape (older shapes are converted, see result.ts). */
export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIp[];
  routes?: CniRoute[];
  dns?: CniDns;
}

/** A published port, as the portMappings capability spells it (CNI CONVENTIONS). */
export interface CniPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: "tcp" | "udp";
  hostIP?: string;
}

/** What one attachment of one container to one network is made of. */
export interface RuntimeConf {
  containerId: string;
  /** empty: the netns is gone (DEL then only frees what it can) */
  netns: string;
  ifName: string;
  /** CNI_ARGS pairs, joined as K=V;K=V */
  args: [string, string][];
  /** values for capabilities ("portMappings", "ips", ...); sent only to plugins that declare them */
  capabilityArgs: Record<string, unknown>;
}

/** The error JSON a failing plugin prints: {code, msg, details}. */
export interface CniErrorJson {
  cniVersion?: string;
  code: number;
  msg: string;
  details?: string;
}
