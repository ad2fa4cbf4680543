// A container's own network namespace, kept on a file by a bind mount
// (`husk-core netns add|del PATH`), so that network drivers attach to it by path before
// the container exists and a restart by the monitor keeps the same network.
import { unlinkSync } from "node:fs";
import { addon } from "../native/addon.ts";
import { huskCorePath } from "../native/core-binary.ts";
import { CoreError, HuskError } from "../runtime/errors.ts";

function run(verb: "add", path: string): void {
  const r = Bun.spawnSync([huskCorePath(), "netns", verb, path], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) {
    const msg = r.stderr.toString().trim().replace(/^husk-core: /, "");
    throw new CoreError(msg || `netns ${verb} ${path}: husk-core exited with status ${r.exitCode}`);
  }
}

export function addNetns(path: string): void {
  if (!path.startsWith("/")) throw new HuskError(`netns path "${path}" must be absolute`);
  run("add", path);
}

const MNT_DETACH = 2;
const UMOUNT_NOFOLLOW = 8;

/** Removing needs no new namespace, so no fork: the addon detaches the bind mount and we
 * unlink the file, in this process (as `husk-core netns del` does; idempotent). */
export function removeNetns(path: string): void {
  addon().umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
  try {
    unlinkSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new HuskError(`remove network namespace file ${path}: ${code ?? (e as Error).message}`, "check who holds the file");
  }
}
