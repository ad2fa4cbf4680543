// rtnetlink from TypeScript: a thin typed layer over the addon. A Netlink object owns one
// NETLINK_ROUTE socket; which network namespace it talks to was fixed when the socket was
// opened. Netlink.open() is the caller's own netns; Netlink.inNetns(path) asks husk-core to
// open the socket inside `path` and pass it back, so no Bun thread ever calls setns.
import { closeSync } from "node:fs";
import { addon } from "../native/addon.ts";
import { huskCorePath } from "../native/core-binary.ts";
import { HuskError } from "../runtime/errors.ts";

export interface LinkInfo {
  index: number;
  name: string;
  kind: string;
  mtu: number;
  master: number;
  up: boolean;
  /** the link's MAC address, when it has one */
  mac?: string;
}

export interface AddrInfo {
  family: 4 | 6;
  address: string;
  prefixlen: number;
  index: number;
}

export interface LinkSpec {
  name: string;
  kind: "veth" | "bridge" | "dummy";
  peerName?: string;
  /** veth: create the peer directly inside this netns (an open fd of its nsfs file). */
  peerNetnsFd?: number;
  /** veth: the peer's MAC address ("02:42:ac:11:00:02"); omitted: the kernel picks one */
  peerMac?: string;
  mtu?: number;
  /** bridge name to enslave the new link to */
  master?: string;
}

export interface LinkChange {
  up?: boolean;
  mtu?: number;
  /** bridge name, or "" to release from its bridge */
  master?: string;
  netnsFd?: number;
  newName?: string;
}

export interface RouteSpec {
  family: 4 | 6;
  /** omitted: the default route */
  dst?: string;
  dstLen?: number;
  gateway?: string;
  dev?: string;
}

/** IPV4_DEVCONF ids (linux/ip.h) that husk sets per device. */
export const DEVCONF = { forwarding: 1, routeLocalnet: 26 } as const;

/** The operations, as an interface: drivers take it so tests can pass a recording fake. */
export interface NetlinkOps {
  linkAdd(spec: LinkSpec): void;
  linkChange(name: string, change: LinkChange): void;
  linkDel(name: string): void;
  linkGet(name: string): LinkInfo | null;
  linkList(): LinkInfo[];
  addrAdd(dev: string, address: string, prefixlen: number): void;
  addrList(dev?: string): AddrInfo[];
  routeAdd(route: RouteSpec): void;
  inetConf(dev: string, id: number, value: number): void;
  close(): void;
}

export class Netlink implements NetlinkOps {
  /** Sockets already open inside a netns (handed over when husk-core made it), by path. */
  private static adopted = new Map<string, number>();

  private constructor(
    private fd: number,
    private readonly owned = true,
  ) {}

  /** Keeps `fd` (a socket inside the netns at `netnsPath`) for inNetns(netnsPath), which
   * then needs no helper run. The socket stays open until release(). */
  static adopt(netnsPath: string, fd: number): void {
    Netlink.release(netnsPath);
    Netlink.adopted.set(netnsPath, fd);
  }

  static release(netnsPath: string): void {
    const fd = Netlink.adopted.get(netnsPath);
    if (fd !== undefined) closeSync(fd);
    Netlink.adopted.delete(netnsPath);
  }

  /** A socket in this process's own network namespace. */
  static open(): Netlink {
    return new Netlink(addon().nlOpen());
  }

  /** A socket inside the network namespace at `netnsPath` (opened there by husk-core). */
  static inNetns(netnsPath: string): Netlink {
    const fd = Netlink.adopted.get(netnsPath);
    return fd !== undefined ? new Netlink(fd, false) : new Netlink(openNetlinkIn(netnsPath));
  }

  linkAdd(spec: LinkSpec): void {
    addon().linkAdd(this.fd, spec);
  }
  linkChange(name: string, change: LinkChange): void {
    addon().linkChange(this.fd, name, change);
  }
  linkDel(name: string): void {
    addon().linkDel(this.fd, name);
  }
  linkGet(name: string): LinkInfo | null {
    return addon().linkGet(this.fd, name);
  }
  linkList(): LinkInfo[] {
    return addon().linkList(this.fd);
  }
  addrAdd(dev: string, address: string, prefixlen: number): void {
    addon().addrAdd(this.fd, dev, address, prefixlen);
  }
  addrList(dev?: string): AddrInfo[] {
    const index = dev ? this.linkGet(dev)?.index : 0;
    if (index === undefined) return [];
    return addon().addrList(this.fd, index) as AddrInfo[];
  }
  routeAdd(route: RouteSpec): void {
    addon().routeAdd(this.fd, route);
  }
  inetConf(dev: string, id: number, value: number): void {
    addon().inetConf(this.fd, dev, id, value);
  }
  close(): void {
    if (this.fd >= 0 && this.owned) closeSync(this.fd);
    this.fd = -1;
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

/** husk-core netlink-socket --netns PATH --sock-fd 3: it enters the netns (it is
 * single-threaded, so that is safe there), opens the socket and sends it over fd 3. */
function openNetlinkIn(netnsPath: string): number {
  const [ours, theirs] = addon().socketpair();
  try {
    const res = Bun.spawnSync([huskCorePath(), "netlink-socket", "--netns", netnsPath, "--sock-fd", "3"], {
      stdio: ["ignore", "ignore", "pipe", theirs] as never,
    });
    if (res.exitCode !== 0) {
      const why = res.stderr.toString().trim() || `husk-core exited with status ${res.exitCode}`;
      throw new HuskError(`open netlink socket in ${netnsPath}: ${why}`, "check that the path is a network namespace (a bind-mounted nsfs file)");
    }
    return addon().recvFd(ours);
  } finally {
    closeSync(ours);
    closeSync(theirs);
  }
}

/** Runs a program inside a netns through husk-core (netnsPath undefined: here). */
export function netnsExecArgv(netnsPath: string | undefined, argv: string[]): string[] {
  return netnsPath ? [huskCorePath(), "netns-exec", "--netns", netnsPath, "--", ...argv] : argv;
}

/** Writes /proc/sys/KEY (slash form) inside a netns, or here when netnsPath is undefined. */
export function writeSysctl(netnsPath: string | undefined, key: string, value: string): void {
  if (!netnsPath) {
    require("node:fs").writeFileSync(`/proc/sys/${key}`, value);
    return;
  }
  const res = Bun.spawnSync([huskCorePath(), "netns-sysctl", "--netns", netnsPath, key, value], { stdio: ["ignore", "ignore", "pipe"] });
  if (res.exitCode !== 0) throw new HuskError(`sysctl ${key}=${value} in ${netnsPath}: ${res.stderr.toString().trim()}`);
}
