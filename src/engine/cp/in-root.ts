// Paths inside a container's root, resolved as openat2(RESOLVE_IN_ROOT) does: every
// symlink is read and followed with the root as "/", and ".." never climbs above it.
// So a hostile link (/etc/x -> /etc/shadow, or -> ../../../../) lands in the
// container's own tree, never on the host's. The result holds no symlink except,
// when followFinal is false, the last component itself.
import { lstatSync, readlinkSync } from "node:fs";
import { HuskError } from "../../runtime/errors.ts";

const MAX_LINKS = 40; // the kernel's limit for one lookup

export interface InRootFs {
  lstat(path: string): { isSymbolicLink(): boolean } | undefined;
  readlink(path: string): string;
}

export const hostFs: InRootFs = {
  lstat(p) {
    try {
      return lstatSync(p);
    } catch {
      return undefined;
    }
  },
  readlink: (p) => readlinkSync(p, "utf8"),
};

/** The components of `path` below the root, after following links in the root. */
export function resolveInRoot(root: string, path: string, followFinal: boolean, fs: InRootFs = hostFs): string[] {
  const queue = path.split("/").filter((c) => c !== "");
  const resolved: string[] = [];
  let links = 0;
  while (queue.length) {
    const c = queue.shift()!;
    if (c === ".") continue;
    if (c === "..") {
      resolved.pop();
      continue;
    }
    const here = `${root}/${[...resolved, c].join("/")}`;
    const st = fs.lstat(here);
    if (st?.isSymbolicLink() && (queue.length > 0 || followFinal)) {
      if (++links > MAX_LINKS) throw new HuskError(`${path}: too many levels of symbolic links inside the container: ELOOP`, "check the links along the path");
      const target = fs.readlink(here);
      if (target.startsWith("/")) resolved.length = 0;
      queue.unshift(...target.split("/").filter((t) => t !== ""));
      continue;
    }
    resolved.push(c);
  }
  return resolved;
}

export const hostPathOf = (root: string, parts: string[]) => (parts.length ? `${root}/${parts.join("/")}` : root);

/** A relative path from a tar stream: ".." that would leave DEST is refused, not clamped. */
export function tarEntryParts(entryPath: string): string[] {
  const out: string[] = [];
  for (const c of entryPath.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (!out.length) throw new HuskError(`refusing archive entry "${entryPath}": it leaves the destination through ".."`, "the archive is hostile or was made with absolute paths outside its root");
      out.pop();
      continue;
    }
    out.push(c);
  }
  return out;
}
