// Removing a snapshot directory without ever leaving it: symlinks are unlinked, never
// followed, and a directory on another device (a mount nobody told us about) stops the
// removal with an error instead of emptying someone else's filesystem.

import { lstatSync, readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { HuskError } from "../runtime/errors.ts";

function removeInside(dir: string, dev: number): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const st = lstatSync(p);
      if (st.dev !== dev)
        throw new HuskError(`refusing to remove ${p}: it is on another filesystem (a mount point)`, "unmount it first; nothing below it was removed");
      removeInside(p, dev);
      rmdirSync(p);
    } else {
      unlinkSync(p);
    }
  }
}

/** Remove `dir` and everything in it, staying on dir's own filesystem. Missing dir: no-op. */
export function removeTreeOnOneDevice(dir: string): void {
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  if (st.isSymbolicLink()) throw new HuskError(`refusing to remove ${dir}: it is a symlink`, "a snapshot dir is always a real directory; check who replaced it");
  if (!st.isDirectory()) throw new HuskError(`refusing to remove ${dir}: not a directory`);
  removeInside(dir, st.dev);
  rmdirSync(dir);
}
