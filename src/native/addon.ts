// Loads husk_core.node. In a compiled husk the static require below is what makes
// `bun build --compile` embed the addon; from a source checkout node-gyp-build finds it.

export interface KernelFeatures {
  cgroupMode: "v2" | "hybrid" | "v1" | "none";
  clone3: boolean;
  overlay: boolean;
  newMountApi: boolean;
  seccomp: boolean;
  userNamespaces: boolean;
  timeNamespace: boolean;
  cgroupNamespace: boolean;
  pidfd: boolean;
  capLastCap: number;
}

export interface HuskAddon {
  pipe(): [number, number];
  flock(fd: number, exclusive: boolean, wait: boolean): boolean;
  releaseFifo(path: string, timeoutMs: number): boolean;
  killPid(pid: number, signal: number): boolean;
  waitPidExit(pid: number, timeoutMs: number): boolean;
  closeFd(fd: number): void;
  mkfifo(path: string, mode: number): void;
  memfdFromBuffer(name: string, data: Uint8Array): number;
  features(): KernelFeatures;
  writeCgroupFiles(writes: [string, string][]): void;
  mknod(path: string, kind: "char" | "block", mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Uint8Array): void;
  compileSeccomp(profile: string): { bpf: Buffer; flags: number };
  /** fsopen + one fsconfig per [key, value] (null value: a flag) + fsmount + move_mount onto target. */
  fsmount(fstype: string, config: [string, string | null][], target: string, attrFlags: number): void;
  mount(source: string, target: string, fstype: string, flags: number, data: string | null): void;
  /** true when something was unmounted; false when target is not a mount point (or is gone). */
  umount2(target: string, flags: number): boolean;
  llistxattr(path: string): string[];
  /** null when the attribute is absent. */
  lgetxattr(path: string, name: string): Uint8Array | null;
  // rtnetlink (core-c/addon/netlink_ops.c); typed wrappers in src/network/netlink.ts
  nlOpen(): number;
  socketpair(): [number, number];
  recvFd(sock: number): number;
  linkAdd(fd: number, spec: object): void;
  linkChange(fd: number, name: string, change: object): void;
  linkDel(fd: number, name: string): void;
  linkGet(fd: number, name: string): { index: number; name: string; kind: string; mtu: number; master: number; up: boolean } | null;
  linkList(fd: number): { index: number; name: string; kind: string; mtu: number; master: number; up: boolean }[];
  addrAdd(fd: number, dev: string, address: string, prefixlen: number): void;
  addrList(fd: number, index: number): { family: number; address: string; prefixlen: number; index: number }[];
  routeAdd(fd: number, route: object): void;
  inetConf(fd: number, dev: string, id: number, value: number): void;
}

let loaded: HuskAddon | undefined;

export function isCompiledBinary(): boolean {
  return Bun.main.startsWith("/$bunfs/");
}

export function addon(): HuskAddon {
  if (loaded) return loaded;
  if (isCompiledBinary()) {
    loaded = require("../../build/Release/husk_core.node") as HuskAddon;
  } else {
    const root = new URL("../..", import.meta.url).pathname;
    loaded = require("node-gyp-build")(root) as HuskAddon;
  }
  return loaded;
}
