// Loads husk_core.node. In a compiled husk the addon is an embedded file: it is copied
// into a memfd and dlopen'ed from /proc/self/fd/N, so loading needs no writable, exec-able
// /tmp (Bun's own way extracts it to /tmp/.bun-*.node first, which fails on a read-only
// root or a noexec /tmp). From a source checkout it is loaded from build/Release/.
import { closeSync, readFileSync } from "node:fs";
// husk_core.addon is husk_core.node under another name (core-c/CMakeLists.txt copies it):
// a .node import would make Bun load it its own way.
import embeddedAddon from "../../build/Release/husk_core.addon" with { type: "file" };
import { HuskError } from "../runtime/errors.ts";
import { trace } from "../util/trace.ts";
import { memfdWithContents } from "./memfd.ts";

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
    loaded = loadEmbedded();
  } else {
    // build/Release/husk_core.addon itself (no source path gets baked into a release).
    const mod = { exports: {} as HuskAddon };
    process.dlopen(mod, embeddedAddon);
    loaded = mod.exports;
    loadedVia = "checkout";
  }
  return loaded;
}

export type AddonSource = "memfd" | "bun-tmp" | "checkout";
let loadedVia: AddonSource | undefined;

/** How the addon was loaded: from a memfd, through Bun's temp file (the fallback where
 * memfd_create is missing, or HUSK_ADDON_NO_MEMFD=1 is set to test that path), or from a
 * source checkout. Loads it first when needed. */
export function addonSource(): AddonSource {
  addon();
  return loadedVia!;
}

function loadEmbedded(): HuskAddon {
  const mod = { exports: {} as HuskAddon };
  let memfdError: unknown;
  try {
    if (process.env.HUSK_ADDON_NO_MEMFD === "1") throw new Error("memfd disabled by HUSK_ADDON_NO_MEMFD=1");
    const fd = memfdWithContents("husk_core.node", new Uint8Array(readFileSync(embeddedAddon)));
    try {
      process.dlopen(mod, `/proc/self/fd/${fd}`);
    } finally {
      closeSync(fd); // the mapping keeps the code; the fd is not needed after dlopen
    }
    loadedVia = "memfd";
    trace("addon: loaded from a memfd");
    return mod.exports;
  } catch (e) {
    memfdError = e;
  }
  try {
    // Bun extracts an embedded file it is asked to dlopen to $TMPDIR first.
    const tmpMod = { exports: {} as HuskAddon };
    process.dlopen(tmpMod, embeddedAddon);
    const viaTmp = tmpMod.exports;
    loadedVia = "bun-tmp";
    trace(`addon: memfd failed (${String(memfdError)}); loaded through Bun's temp file`);
    return viaTmp;
  } catch (e) {
    const why = (x: unknown) => (x instanceof Error ? x.message : String(x)).split("\n")[0];
    throw new HuskError(
      `loading the embedded addon husk_core.node failed: from a memfd: ${why(memfdError)}; from a temp file: ${why(e)}`,
      "the kernel needs memfd_create (3.17+), or set TMPDIR to a writable directory not mounted noexec",
    );
  }
}
