// Mounting and unmounting one overlay, choosing how to pass the layers:
// "lowerdir+" where the kernel has it (6.8+), else one fsconfig "lowerdir" string when
// it fits, else mount(2) with the one-page limit (real paths, or /proc/self/fd/N names
// when the real paths are too long). Each fallback is taken only for the reason that
// calls for it; any other error is reported as it is.

import { HuskError } from "../runtime/errors.ts";
import { type MountSys, MNT_DETACH, UMOUNT_NOFOLLOW } from "./mount-sys.ts";
import {
  fsconfigLowerdirPlus,
  fsconfigLowerdirString,
  kernelAtLeast,
  MOUNT_DATA_MAX,
  type MountMethod,
  mountData,
  type OverlaySpec,
  OVERLAY_MAX_LAYERS,
  withFdPaths,
} from "./overlay-options.ts";

interface KernelError extends Error {
  code?: string;
  kernelLog?: string;
}

const HINTS: Record<string, string> = {
  ENODEV: "this kernel has no overlay filesystem; set HUSK_STORAGE_DRIVER=copy",
  ENOENT: "a layer, upper or work dir is missing; re-pull the image or remove the container",
  EBUSY: "the upper or work dir is in use by another overlay mount",
  EINVAL: "the kernel rejected the overlay options (see its message above)",
  EPERM: "mounting needs root (CAP_SYS_ADMIN)",
  ENOSPC: "no space left for the container's writable layer",
  ELOOP: "a layer path has too many symlinks",
};

/** Per-process memory of what the kernel refused, so a fallback is found only once. */
const refused = { lowerdirPlus: false, newApi: false };

/** For tests: forget what earlier mounts learned. */
export function resetMountMemory(): void {
  refused.lowerdirPlus = false;
  refused.newApi = false;
}

function mountError(target: string, method: MountMethod, e: unknown): HuskError {
  const err = e as KernelError;
  return new HuskError(`mount overlay on ${target} (${method}): ${err.message}`, HINTS[err.code ?? ""] ?? "see the kernel's message");
}

/** Runs fn with an fd open on each lower dir; the fds are closed whatever happens. */
function withLowerFds<T>(sys: MountSys, spec: OverlaySpec, fn: (fdSpec: OverlaySpec) => T): T {
  const fds: number[] = [];
  try {
    for (const d of spec.lowerDirs) fds.push(sys.openDir(d));
    return fn(withFdPaths(spec, fds));
  } finally {
    for (const fd of fds) sys.closeFd(fd);
  }
}

function mountLowerdirString(sys: MountSys, spec: OverlaySpec, target: string): boolean {
  const direct = fsconfigLowerdirString(spec);
  if (direct) {
    sys.fsmount("overlay", direct, target);
    return true;
  }
  return withLowerFds(sys, spec, (fdSpec) => {
    const viaFds = fsconfigLowerdirString(fdSpec);
    if (!viaFds) return false;
    sys.fsmount("overlay", viaFds, target);
    return true;
  });
}

function mountSyscall(sys: MountSys, spec: OverlaySpec, target: string): void {
  const direct = mountData(spec);
  if (direct) return sys.mount("overlay", target, "overlay", 0, direct);
  withLowerFds(sys, spec, (fdSpec) => {
    const viaFds = mountData(fdSpec);
    if (!viaFds) {
      const need = `lowerdir=${fdSpec.lowerDirs.join(":")},upperdir=${spec.upperDir},workdir=${spec.workDir}`.length;
      throw new HuskError(
        `mount overlay on ${target}: the options for ${spec.lowerDirs.length} layers need ${need} bytes, over mount(2)'s one-page limit of ${MOUNT_DATA_MAX}`,
        "this kernel lacks fsconfig lowerdir+ (Linux 6.8+); use an image with fewer layers or a shorter --data-root",
      );
    }
    sys.mount("overlay", target, "overlay", 0, viaFds);
  });
}

/**
 * Mount `spec` on `target`. `force` picks one method (tests use it to cover every path on
 * one kernel); otherwise the best the kernel offers. Returns the method that worked.
 */
export function mountOverlay(sys: MountSys, spec: OverlaySpec, target: string, force?: MountMethod): MountMethod {
  if (spec.lowerDirs.length === 0) throw new HuskError(`mount overlay on ${target}: no layers`, "an image has at least one layer");
  if (spec.lowerDirs.length > OVERLAY_MAX_LAYERS)
    throw new HuskError(`mount overlay on ${target}: ${spec.lowerDirs.length} layers, overlay stacks at most ${OVERLAY_MAX_LAYERS}`, "squash the image");
  if (force === "mount") {
    try {
      mountSyscall(sys, spec, target);
    } catch (e) {
      throw e instanceof HuskError ? e : mountError(target, "mount", e);
    }
    return "mount";
  }
  if (force === "lowerdir+" || (!force && !refused.newApi && !refused.lowerdirPlus && kernelAtLeast(sys.kernelRelease(), 6, 8))) {
    try {
      sys.fsmount("overlay", fsconfigLowerdirPlus(spec), target);
      return "lowerdir+";
    } catch (e) {
      const err = e as KernelError;
      if (force) throw mountError(target, "lowerdir+", e);
      // A kernel without the key says so in its log ("Unknown parameter 'lowerdir+'").
      if (err.code === "ENOSYS") refused.newApi = true;
      else if (err.code === "EINVAL" && /lowerdir\+/.test(`${err.kernelLog ?? ""} ${err.message}`) && /nknown|unsupported/i.test(err.kernelLog ?? "")) refused.lowerdirPlus = true;
      else throw mountError(target, "lowerdir+", e);
    }
  }
  if (force === "lowerdir" || (!force && !refused.newApi)) {
    try {
      if (mountLowerdirString(sys, spec, target)) return "lowerdir";
      if (force) throw new HuskError(`mount overlay on ${target}: the lowerdir string for ${spec.lowerDirs.length} layers is over fsconfig's ${255}-byte value limit`, "use the lowerdir+ or mount(2) method");
    } catch (e) {
      if (e instanceof HuskError) throw e;
      const err = e as KernelError;
      if (force || err.code !== "ENOSYS") throw mountError(target, "lowerdir", e);
      refused.newApi = true;
    }
  }
  try {
    mountSyscall(sys, spec, target);
  } catch (e) {
    throw e instanceof HuskError ? e : mountError(target, "mount", e);
  }
  return "mount";
}

/**
 * Unmount target; idempotent (false when nothing was mounted there). A busy mount is
 * retried a few times, then detached lazily as a last resort, so that a stop never
 * leaves the container's tree mounted for good.
 */
export function unmountOverlay(sys: MountSys, target: string, retries = 5): boolean {
  for (let i = 0; ; i++) {
    try {
      return sys.umount2(target, UMOUNT_NOFOLLOW);
    } catch (e) {
      const err = e as KernelError;
      if (err.code !== "EBUSY") throw new HuskError(`unmount ${target}: ${err.message}`, HINTS[err.code ?? ""]);
      if (i >= retries) break;
      Bun.sleepSync(10 * (i + 1));
    }
  }
  try {
    return sys.umount2(target, UMOUNT_NOFOLLOW | MNT_DETACH);
  } catch (e) {
    throw new HuskError(`unmount ${target} (lazy detach): ${(e as Error).message}`, "a process still uses the container's files");
  }
}
