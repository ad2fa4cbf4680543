// The public plugin API. Everything a plugin author needs is typed here and documented in
// docs/plugins.md; bundled drivers (plugins/) use exactly the same types. A plugin loaded
// from disk cannot import husk's own modules (they are inside the compiled binary), so the
// services it may use come in through PluginHost.
import type { NetlinkOps } from "../network/netlink.ts";

/** The API version this husk speaks. Plugins declare the version they were written for;
 * the major must match and the minor must not be newer than ours. */
export const PLUGIN_API_VERSION = "1.0";

export type PluginKind = "network" | "volume";

export interface PluginManifest {
  /** unique name; what `--network NAME`/`--driver NAME` and `husk plugin inspect` use */
  name: string;
  kind: PluginKind;
  /** the PLUGIN_API_VERSION the plugin was written against, "MAJOR.MINOR" */
  apiVersion: string;
  /** the plugin's own version, free form */
  version?: string;
  description?: string;
}

/** What a plugin module exports (named exports `manifest` and `create`, or the same two
 * as properties of the default export). */
export interface PluginModule<D = NetworkDriver | VolumeDriver> {
  manifest: PluginManifest;
  create(host: PluginHost): D;
}

/** Services husk lends to every plugin. */
export interface PluginHost {
  /** this plugin's own state directory (created on first use): <data-root>/plugins/<name> */
  stateDir(): string;
  /** --root (live state, cleared at reboot) and --data-root (kept) */
  root: string;
  dataRoot: string;
  /** netlink in husk's own network namespace, or (with hostNetns) in that one */
  hostNetlink(hostNetns?: string): NetlinkOps;
  /** netlink inside a container's netns; husk-core opens the socket there */
  netnsNetlink(netnsPath: string): NetlinkOps;
  /** run a program in a netns (undefined: here); resolves with its exit status and output */
  exec(argv: string[], opts?: { netns?: string; stdin?: string }): { exitCode: number; stdout: string; stderr: string };
  /** write /proc/sys/KEY (slash form, "net/ipv4/ip_forward") in a netns (undefined: here) */
  sysctl(key: string, value: string, netns?: string): void;
  /** run fn while holding this plugin's lock `name` (an flock under stateDir(), shared by
   * every husk process); fn must be synchronous */
  withLock<T>(name: string, fn: () => T): T;
  /** mounts in husk's own mount namespace, through the addon's syscalls (no mount(8)) */
  mounts: MountOps;
  /** one log line on stderr, prefixed with the plugin's name, shown with --debug */
  debug(message: string): void;
  /** an error that names the plugin: "network plugin bridge: MESSAGE (hint: HINT)" */
  error(message: string, hint?: string): Error;
}

/** Per-mount flags (mount_setattr's MOUNT_ATTR_*), by the names mount(8) uses. */
export type MountFlag = "ro" | "nosuid" | "nodev" | "noexec" | "noatime" | "nodiratime" | "relatime" | "strictatime";

/** Mounting for plugins. Every call throws an Error with `code` set to the errno name. */
export interface MountOps {
  /** A new filesystem on target: fsopen(fstype), one fsconfig per option ([key, value],
   * value null for a flag, e.g. ["source", "/dev/sdb1"], ["size", "64m"]), fsmount with
   * `flags`, move_mount onto target. */
  mountFs(fstype: string, options: [string, string | null][], target: string, flags?: MountFlag[]): void;
  /** A bind mount of source (a dir or file) on target; read-only when asked. */
  bind(source: string, target: string, opts?: { recursive?: boolean; readOnly?: boolean }): void;
  /** Unmounts target; false when nothing was mounted there. `lazy` detaches a busy mount. */
  unmount(target: string, opts?: { lazy?: boolean }): boolean;
  /** Whether path is a mount point (from /proc/self/mountinfo). */
  isMountPoint(path: string): boolean;
}

// ---------------------------------------------------------------- network drivers

/** A network as husk stores it (<data-root>/networks/<name>/network.msgpack). */
export interface NetworkConfig {
  id: string;           // 64 hex
  name: string;
  driver: string;
  created: string;      // ISO 8601
  /** IPv4 first, then IPv6 when asked */
  subnets: SubnetConfig[];
  ipv6: boolean;
  mtu?: number;
  internal: boolean;
  /** driver options (`husk network create -o key=value`) after createNetwork filled them in */
  options: Record<string, string>;
  labels: Record<string, string>;
  /** the default network of its driver (created implicitly, never removed by prune) */
  builtin?: boolean;
}

export interface SubnetConfig {
  subnet: string;       // "10.89.0.0/24"
  gateway?: string;     // "10.89.0.1"
  ipRange?: string;     // sub-range addresses are leased from
}

export interface NetworkCreateRequest {
  /** the id husk gave the network (64 hex) */
  id: string;
  name: string;
  /** the default network of this driver, made implicitly by husk */
  builtin: boolean;
  subnets: SubnetConfig[];
  ipv6: boolean;
  mtu?: number;
  internal: boolean;
  options: Record<string, string>;
  /** subnets already used by other networks, so a driver that picks one avoids them */
  usedSubnets: string[];
}

/** A published port: -p [ip:]host:container[/tcp|udp] */
export interface PortMapping {
  hostIp?: string;      // "" or undefined: every local address
  hostPort: number;
  containerPort: number;
  protocol: "tcp" | "udp";
}

export interface AttachRequest {
  containerId: string;  // 64 hex
  containerName: string;
  /** the container's network namespace (a bind-mounted nsfs file), made before attach */
  netnsPath: string;
  /** pid of the container's init when it already runs (0 before start) */
  pid: number;
  /** name of the interface inside the container (eth0, eth1, ...) */
  ifname: string;
  ports: PortMapping[];
  /** extra names the container answers to on this network */
  aliases: string[];
  /** the file bind-mounted as the container's /etc/hosts, if husk manages one */
  hostsFile?: string;
  /** a static address asked for with --ip / --ip6 */
  ipv4?: string;
  ipv6?: string;
  /** the MAC address asked for with --mac-address (drivers that make the interface use it) */
  mac?: string;
}

export interface InterfaceResult {
  name: string;         // inside the container
  hostName?: string;    // the host side (veth), if any
  mac?: string;
}
export interface AddressResult {
  interface: string;
  address: string;      // "10.89.0.2/24"
  gateway?: string;
}
export interface RouteResult {
  dst: string;          // "0.0.0.0/0"
  gateway?: string;
}
export interface DnsResult {
  nameservers: string[];
  search: string[];
  options: string[];
}

export interface AttachResult {
  interfaces: InterfaceResult[];
  addresses: AddressResult[];
  routes: RouteResult[];
  dns?: DnsResult;
  /** /etc/hosts lines the engine should add (other containers on the network) */
  hosts?: { address: string; names: string[] }[];
}

export interface DetachRequest {
  containerId: string;
  netnsPath?: string;
  ifname: string;
  /** husk removes the container's netns right after this call: links inside it (and a
   * veth's peer) go with it, so a driver may leave deleting them to the kernel */
  netnsGoing?: boolean;
}

/** Where the container's network namespace comes from. */
export type SandboxChoice =
  | { mode: "new" }                   // husk makes <root>/netns/<id>, then calls attach
  | { mode: "host" }                  // no netns of its own; attach is not called
  | { mode: "path"; path: string };   // join this existing netns; attach is not called

export interface NetworkDriver {
  /** Optional: where the container's netns comes from (default: a new one). `option` is
   * what followed "NAME:" in --network NAME:option (netns:NAME). */
  sandbox?(net: NetworkConfig, option: string | undefined): SandboxChoice;
  /** Check and complete a new network (pick a subnet, default options). Nothing on the host
   * need exist yet; husk stores what this returns. Throw host.error(...) to refuse. */
  createNetwork(req: NetworkCreateRequest): Promise<NetworkConfig> | NetworkConfig;
  /** Remove whatever the network made on the host (bridge, firewall rules, leases).
   * Called only when no container is attached. Must succeed when called twice. */
  deleteNetwork(net: NetworkConfig): Promise<void> | void;
  /** Connect one container. On failure, throw after undoing what this call did; husk
   * also calls detach afterwards, so detach must cope with a half-made attachment. */
  attach(net: NetworkConfig, req: AttachRequest): Promise<AttachResult> | AttachResult;
  /** Disconnect one container; idempotent (a second call, or a call after a crash, is fine). */
  detach(net: NetworkConfig, req: DetachRequest): Promise<void> | void;
  /** Free what belongs to containers that died without detach (leases, rules, veths).
   * `alive(containerId, netnsPath)` says whether an attachment is still in use. */
  reclaim?(net: NetworkConfig, alive: (containerId: string, netnsPath?: string) => boolean): Promise<number> | number;
  /** Driver state for `husk network inspect` (endpoints, addresses...). */
  inspect?(net: NetworkConfig): Promise<Record<string, unknown>> | Record<string, unknown>;
}

// ---------------------------------------------------------------- volume drivers

export interface VolumeConfig {
  name: string;
  driver: string;
  created: string;
  options: Record<string, string>;
  labels: Record<string, string>;
}

export interface VolumeCapabilities {
  /** "local": usable on this host only; "global": the same volume everywhere */
  scope: "local" | "global";
  /** mount propagation the driver supports for its host paths */
  propagation: ("private" | "rprivate" | "shared" | "rshared" | "slave" | "rslave")[];
}

export interface VolumeDriver {
  capabilities(): VolumeCapabilities;
  /** Make the volume (or accept an existing one); options come from `-o key=value`. */
  create(name: string, options: Record<string, string>): Promise<VolumeConfig> | VolumeConfig;
  /** Make it available and return the host path to bind into the container. `mountId`
   * distinguishes several containers using one volume. */
  mount(vol: VolumeConfig, mountId: string): Promise<{ hostPath: string }> | { hostPath: string };
  unmount(vol: VolumeConfig, mountId: string): Promise<void> | void;
  remove(vol: VolumeConfig): Promise<void> | void;
  list(): Promise<VolumeConfig[]> | VolumeConfig[];
  inspect(vol: VolumeConfig): Promise<Record<string, unknown>> | Record<string, unknown>;
}
