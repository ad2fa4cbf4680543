// The container's own netns for a network attach: made by `husk-core netns add` as usual,
// which also hands back a netlink socket opened inside it, so the drivers' work in the
// netns (addresses, routes) costs no second helper run.
import { closeSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { addon } from "../native/addon.ts";
import { huskCorePath } from "../native/core-binary.ts";
import { Netlink } from "../network/netlink.ts";
import { CoreError } from "../runtime/errors.ts";

/** True when this call made the namespace; then Netlink.inNetns(path) is free until release. */
export function ensureNetnsWithNetlink(path: string): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true, mode: 0o711 });
  const [ours, theirs] = addon().socketpair();
  try {
    const r = Bun.spawnSync([huskCorePath(), "netns", "add", path, "--sock-fd", "3"], { stdio: ["ignore", "ignore", "pipe", theirs] as never });
    if (r.exitCode !== 0) {
      const msg = r.stderr.toString().trim().replace(/^husk-core: /, "");
      throw new CoreError(msg || `netns add ${path}: husk-core exited with status ${r.exitCode}`);
    }
    Netlink.adopt(path, addon().recvFd(ours));
    return true;
  } finally {
    closeSync(ours);
    closeSync(theirs);
  }
}
