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
