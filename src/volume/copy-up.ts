// docker's copy-up: a volume that is empty when a container first mounts it takes the
// image's content at the mount path (owner, mode, xattrs, links kept), so that `-v db:/var/lib/db`
// starts with what the image put there. The path is resolved inside the container's root:
// a symlink in the image can never send the copy to a host path.
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { posix } from "node:path";
import { copyLayers, type CopyOps, defaultCopyOps } from "../storage/copy-driver.ts";

/** `path` (absolute, as seen in the container) resolved within `rootfs`, following
 * symlinks the way the container would; undefined when it does not exist. */
export function resolveInRoot(rootfs: string, path: string, maxLinks = 40): string | undefined {
  const parts = path.split("/").filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (parts.length) {
    const part = parts.shift()!;
    if (part === ".") continue;
    if (part === "..") {
      done.pop(); // never above the container's root
      continue;
    }
    const host = `${rootfs}/${[...done, part].join("/")}`;
    let st;
    try {
      st = lstatSync(host);
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) {
      if (++links > maxLinks) return undefined;
      const target = readlinkSync(host);
      if (target.startsWith("/")) done.length = 0;
      parts.unshift(...target.split("/").filter(Boolean));
      continue;
    }
    done.push(part);
  }
  return posix.join(rootfs, ...done);
}

function isEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/** Copies the image's files at `target` into `volumeDir` when the volume is empty and the
 * image has a directory there. Returns whether anything was copied. */
export function copyUp(rootfs: string, target: string, volumeDir: string, ops: CopyOps = defaultCopyOps()): boolean {
  if (!isEmptyDir(volumeDir)) return false;
  const src = resolveInRoot(rootfs, target);
  if (!src) return false;
  if (!lstatSync(src).isDirectory() || isEmptyDir(src)) return false;
  copyLayers([src], volumeDir, ops);
  return true;
}
