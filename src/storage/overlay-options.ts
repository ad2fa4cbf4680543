// Overlay mount options, built without touching the kernel so the rules are unit-tested:
// layer order, the three ways of passing layers, and the size limit of each.
//
// - fsconfig "lowerdir+" (kernel 6.8+): one call per layer, each value up to 255 bytes,
//   so the stack size is limited only by overlay's own 500-layer maximum.
// - fsconfig "lowerdir": one string, and fsconfig copies at most 256 bytes (with the NUL)
//   of any value, so only short stacks fit.
// - mount(2): every option in one string of at most one page (4096 bytes with the NUL).
// When a string form is too long with the real paths, layers can be named by
// /proc/self/fd/N of a directory fd held open across the mount: short and fixed-size,
// and (unlike docker's chdir into a dir of short symlinks) safe in a multi-threaded
// process, because nothing depends on the process-wide working directory.

import { HuskError } from "../runtime/errors.ts";

/** Longest value fsconfig(FSCONFIG_SET_STRING) accepts (strndup_user(value, 256)). */
export const FSCONFIG_VALUE_MAX = 255;
/** Longest mount(2) data string: one page, NUL included. */
export const MOUNT_DATA_MAX = 4095;
/** overlayfs refuses deeper stacks (OVL_MAX_STACK). */
export const OVERLAY_MAX_LAYERS = 500;

export type MountMethod = "lowerdir+" | "lowerdir" | "mount";

export interface OverlaySpec {
  /** Top layer first, as overlay reads them. */
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  /** Extra options: "key=value" or a bare flag ("volatile"). */
  options: string[];
}

/** Image layers come bottom first; overlay wants the top layer first. */
export function overlayLowerOrder(layerDirsBottomFirst: readonly string[]): string[] {
  return [...layerDirsBottomFirst].reverse();
}

/**
 * Paths go into comma- and colon-separated strings in the string forms; overlay's
 * backslash escaping is not worth the risk for paths husk itself chooses, so such paths
 * are refused with a clear error instead.
 */
export function checkOverlayPath(what: string, path: string): void {
  if (!path.startsWith("/")) throw new HuskError(`overlay ${what} ${JSON.stringify(path)}: not an absolute path`, "pass absolute layer and snapshot paths");
  if (/[,:\\\n]/.test(path))
    throw new HuskError(`overlay ${what} ${JSON.stringify(path)}: contains one of , : \\ or a newline, which overlay options cannot carry`, "use a --data-root whose path has none of these characters");
}

/** The fsconfig calls for the "lowerdir+" form: one per layer, then upper, work and the extras. */
export function fsconfigLowerdirPlus(spec: OverlaySpec): [string, string | null][] {
  const out: [string, string | null][] = spec.lowerDirs.map((d) => ["lowerdir+", d]);
  return [...out, ...commonConfig(spec)];
}

/**
 * The fsconfig calls for the single-string form, or null when the lowerdir string does
 * not fit in one fsconfig value.
 */
export function fsconfigLowerdirString(spec: OverlaySpec): [string, string | null][] | null {
  const lower = spec.lowerDirs.join(":");
  if (lower.length > FSCONFIG_VALUE_MAX) return null;
  return [["lowerdir", lower], ...commonConfig(spec)];
}

function commonConfig(spec: OverlaySpec): [string, string | null][] {
  const out: [string, string | null][] = [
    ["upperdir", spec.upperDir],
    ["workdir", spec.workDir],
  ];
  for (const o of spec.options) {
    const eq = o.indexOf("=");
    out.push(eq < 0 ? [o, null] : [o.slice(0, eq), o.slice(eq + 1)]);
  }
  return out;
}

/** The mount(2) data string, or null when it is longer than one page. */
export function mountData(spec: OverlaySpec): string | null {
  const data = [`lowerdir=${spec.lowerDirs.join(":")}`, `upperdir=${spec.upperDir}`, `workdir=${spec.workDir}`, ...spec.options].join(",");
  return data.length > MOUNT_DATA_MAX ? null : data;
}

/** The spec with each lower dir named by the /proc/self/fd link of its open fd. */
export function withFdPaths(spec: OverlaySpec, fds: readonly number[]): OverlaySpec {
  if (fds.length !== spec.lowerDirs.length) throw new Error("withFdPaths: one fd per lower dir");
  return { ...spec, lowerDirs: fds.map((fd) => `/proc/self/fd/${fd}`) };
}

/** Kernel release "6.8.0-31-generic" -> [6, 8]; unknown parts are 0. */
export function kernelVersion(release: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function kernelAtLeast(release: string, major: number, minor: number): boolean {
  const [a, b] = kernelVersion(release);
  return a > major || (a === major && b >= minor);
}
