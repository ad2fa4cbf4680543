// `husk system info`: what docker info says, gathered from the host, the stores and the
// container records (no daemon to ask).
import { readFileSync } from "node:fs";
import { arch, cpus, release, totalmem } from "node:os";
import { ImageStore } from "../image/image-store.ts";
import { addon } from "../native/addon.ts";
import { BUILD_INFO } from "../version.ts";
import { currentState } from "./container-state.ts";
import type { RecordStore } from "./record-store.ts";

export interface SystemInfo {
  ID: string;
  ServerVersion: string;
  KernelVersion: string;
  OperatingSystem: string;
  OSType: "linux";
  Architecture: string;
  NCPU: number;
  MemTotal: number;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DriverStatus: [string, string][];
  CgroupDriver: "cgroupfs";
  CgroupMode: string;
  CgroupVersion: "1" | "2";
  DockerRootDir: string;
  HuskRunRoot: string;
  DefaultRuntime: "husk";
  Runtimes: Record<string, { path: string }>;
  SecurityOptions: string[];
  Plugins: { Volume: string[]; Network: string[]; Log: string[] };
  LoggingDriver: string;
  Name: string;
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "Linux";
  } catch {
    return "Linux";
  }
}

const goArch = (a: string) => (a === "x64" ? "x86_64" : a === "arm64" ? "aarch64" : a);

export function systemInfo(store: RecordStore, networkPlugins: string[]): SystemInfo {
  const f = addon().features();
  let running = 0;
  let paused = 0;
  let stopped = 0;
  const recs = store.list();
  for (const rec of recs) {
    const live = currentState(rec, store.paths(rec.id));
    if (live.status === "paused") paused++;
    else if (live.running || live.status === "restarting") running++;
    else stopped++;
  }
  let images = 0;
  try {
    images = new ImageStore(store.roots.dataRoot).list().length;
  } catch {}
  let hostname = "";
  try {
    hostname = readFileSync("/proc/sys/kernel/hostname", "utf8").trim();
  } catch {}
  const seccomp = f.seccomp ? ["name=seccomp,profile=builtin"] : [];
  return {
    ID: BUILD_INFO.commit,
    ServerVersion: BUILD_INFO.version,
    KernelVersion: release(),
    OperatingSystem: osName(),
    OSType: "linux",
    Architecture: goArch(arch()),
    NCPU: cpus().length,
    MemTotal: totalmem(),
    Containers: recs.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: stopped,
    Images: images,
    Driver: f.overlay ? "overlay" : "copy",
    DriverStatus: [["Backing Filesystem", "per layer dir"], ["Supports d_type", "true"], ["Native Overlay Diff", String(f.overlay)]],
    CgroupDriver: "cgroupfs",
    CgroupMode: f.cgroupMode,
    CgroupVersion: f.cgroupMode === "v2" ? "2" : "1",
    DockerRootDir: store.roots.dataRoot,
    HuskRunRoot: store.roots.root,
    DefaultRuntime: "husk",
    Runtimes: { husk: { path: process.execPath } },
    SecurityOptions: [...seccomp, ...(f.userNamespaces ? ["name=userns"] : []), ...(f.cgroupMode === "v2" ? ["name=cgroupns"] : [])],
    Plugins: { Volume: ["local"], Network: networkPlugins, Log: ["k8s-file"] },
    LoggingDriver: "k8s-file",
    Name: hostname,
  };
}

/** docker info's text layout (the Server part; husk has no separate client). */
export function infoText(i: SystemInfo): string {
  const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)}GiB`;
  return [
    `Containers: ${i.Containers}`,
    ` Running: ${i.ContainersRunning}`,
    ` Paused: ${i.ContainersPaused}`,
    ` Stopped: ${i.ContainersStopped}`,
    `Images: ${i.Images}`,
    `Server Version: ${i.ServerVersion}`,
    `Storage Driver: ${i.Driver}`,
    ...i.DriverStatus.map(([k, v]) => ` ${k}: ${v}`),
    `Logging Driver: ${i.LoggingDriver}`,
    `Cgroup Driver: ${i.CgroupDriver}`,
    `Cgroup Version: ${i.CgroupVersion} (${i.CgroupMode})`,
    "Plugins:",
    ` Volume: ${i.Plugins.Volume.join(" ")}`,
    ` Network: ${i.Plugins.Network.join(" ")}`,
    ` Log: ${i.Plugins.Log.join(" ")}`,
    `Runtimes: ${Object.keys(i.Runtimes).join(" ")}`,
    `Default Runtime: ${i.DefaultRuntime}`,
    "Security Options:",
    ...i.SecurityOptions.map((o) => ` ${o.replace(/^name=/, "").replace(/,profile=/, "\n  Profile: ")}`),
    `Kernel Version: ${i.KernelVersion}`,
    `Operating System: ${i.OperatingSystem}`,
    `OSType: ${i.OSType}`,
    `Architecture: ${i.Architecture}`,
    `CPUs: ${i.NCPU}`,
    `Total Memory: ${gib(i.MemTotal)}`,
    `Name: ${i.Name}`,
    `Docker Root Dir: ${i.DockerRootDir}`,
    `Husk Run Root: ${i.HuskRunRoot}`,
    "",
  ].join("\n");
}
