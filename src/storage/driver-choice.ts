// Which snapshot driver this host gets: overlay when it really works here, else copy.
// HUSK_STORAGE_DRIVER=overlay|copy forces one. Otherwise the answer comes from
// /proc/filesystems (or an overlay module on disk, which the kernel loads on first use)
// and a real test mount on the data root's own filesystem (overlay refuses some upper
// filesystems), done once per boot and kept in <data-root>/snapshots/.driver.json.

import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { HuskError } from "../runtime/errors.ts";
import { realMountSys, type MountSys } from "./mount-sys.ts";
import { mountOverlay, unmountOverlay } from "./overlay-mount.ts";
import { removeTreeOnOneDevice } from "./safe-remove.ts";

export type DriverName = "overlay" | "copy";

export interface DriverChoice {
  driver: DriverName;
  /** Why: "forced by HUSK_STORAGE_DRIVER", "probe mount worked", or what failed. */
  reason: string;
}

interface CacheFile extends DriverChoice {
  bootId: string;
  kernel: string;
}

const memo = new Map<string, DriverChoice>();

export function driverFromEnv(value: string | undefined): DriverName | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "overlay" || value === "copy") return value;
  throw new HuskError(`HUSK_STORAGE_DRIVER=${value}: unknown storage driver`, "use overlay or copy, or unset it to let husk choose");
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function overlayModuleOnDisk(kernel: string): boolean {
  const dir = `/lib/modules/${kernel}/kernel/fs/overlayfs`;
  try {
    return readdirSync(dir).some((n) => n.startsWith("overlay.ko"));
  } catch {
    return false;
  }
}

/** A real overlay mount in a scratch dir under `snapRoot`, checked both ways, then removed. */
export function probeOverlay(snapRoot: string, sys: MountSys = realMountSys()): DriverChoice {
  const dir = join(snapRoot, `.probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const d = (n: string) => join(dir, n);
  try {
    for (const n of ["", "lower", "upper", "work", "merged"]) mkdirSync(d(n), { mode: 0o700 });
    writeFileSync(d("lower/seen"), "lower\n");
    mountOverlay(sys, { lowerDirs: [d("lower")], upperDir: d("upper"), workDir: d("work"), options: [] }, d("merged"));
    try {
      if (readText(d("merged/seen")) !== "lower\n") return { driver: "copy", reason: "probe mount did not show the lower layer" };
      writeFileSync(d("merged/written"), "x");
      if (!existsSync(d("upper/written"))) return { driver: "copy", reason: "probe mount did not write to the upper dir" };
    } finally {
      unmountOverlay(sys, d("merged"));
    }
    return { driver: "overlay", reason: "probe mount worked" };
  } catch (e) {
    return { driver: "copy", reason: `probe mount failed: ${(e as Error).message}` };
  } finally {
    removeTreeOnOneDevice(dir);
  }
}

/** The driver for snapshots under `dataRoot` (decided once per process and per boot). */
export function chooseDriver(dataRoot: string, env: string | undefined = process.env.HUSK_STORAGE_DRIVER, sys: MountSys = realMountSys()): DriverChoice {
  const forced = driverFromEnv(env);
  if (forced) return { driver: forced, reason: "forced by HUSK_STORAGE_DRIVER" };
  const known = memo.get(dataRoot);
  if (known) return known;
  const snapRoot = join(dataRoot, "snapshots");
  const cachePath = join(snapRoot, ".driver.json");
  const bootId = readText("/proc/sys/kernel/random/boot_id").trim();
  const kernel = sys.kernelRelease();
  try {
    const c = JSON.parse(readFileSync(cachePath, "utf8")) as CacheFile;
    if (c.bootId === bootId && c.kernel === kernel && (c.driver === "overlay" || c.driver === "copy")) {
      const choice = { driver: c.driver, reason: c.reason };
      memo.set(dataRoot, choice);
      return choice;
    }
  } catch {
    // no cache yet, or unreadable: probe again
  }
  mkdirSync(snapRoot, { recursive: true, mode: 0o700 });
  let choice: DriverChoice;
  if (!readText("/proc/filesystems").includes("\toverlay\n") && !overlayModuleOnDisk(kernel))
    choice = { driver: "copy", reason: "no overlay in /proc/filesystems and no overlay module for this kernel" };
  else choice = probeOverlay(snapRoot, sys);
  const tmp = `${cachePath}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ ...choice, bootId, kernel } satisfies CacheFile));
  renameSync(tmp, cachePath);
  memo.set(dataRoot, choice);
  return choice;
}

/** For tests: forget the per-process answers. */
export function forgetDriverChoices(): void {
  memo.clear();
}
