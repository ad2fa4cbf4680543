// A container's own network namespace, kept on a file by a bind mount
// (`husk-core netns add|del PATH`), so that network drivers attach to it by path before
// the container exists and a restart by the monitor keeps the same network.
import { huskCorePath } from "../native/core-binary.ts";
import { CoreError, HuskError } from "../runtime/errors.ts";

function run(verb: "add" | "del", path: string): void {
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

export function removeNetns(path: string): void {
  run("del", path);
}
