// Which paths are mount points, from /proc/self/mountinfo (the only view that also
// shows mounts hidden under other mounts).

import { readFileSync } from "node:fs";

/** Undo the kernel's octal escapes (\040 for a space, ...) in a mountinfo field. */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export interface MountEntry {
  mountPoint: string;
  /** the part of the source filesystem mounted here ("/" for all of it) */
  root: string;
  /** per-mount options: rw, nosuid, ... */
  mountOptions: string;
  /** optional fields: shared:N, master:N, propagate_from:N, unbindable */
  optional: string[];
  fstype: string;
  source: string;
  superOptions: string;
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(" ");
    const right = line.slice(sep + 3).split(" ");
    out.push({
      mountPoint: unescapeMountField(left[4] ?? ""),
      root: unescapeMountField(left[3] ?? ""),
      mountOptions: left[5] ?? "",
      optional: left.slice(6),
      fstype: right[0] ?? "",
      source: unescapeMountField(right[1] ?? ""),
      superOptions: right[2] ?? "",
    });
  }
  return out;
}

export function readMounts(): MountEntry[] {
  return parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8"));
}

/** Mounts at `dir` or anywhere below it. */
export function mountsAtOrUnder(dir: string, mounts: MountEntry[] = readMounts()): MountEntry[] {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  return mounts.filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(prefix));
}
