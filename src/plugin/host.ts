// The PluginHost each plugin receives: husk's services, scoped to that plugin.
import { closeSync, mkdirSync, openSync } from "node:fs";
import { addon } from "../native/addon.ts";
import { join } from "node:path";
import { Netlink, netnsExecArgv, writeSysctl } from "../network/netlink.ts";
import type { PluginHost, PluginManifest } from "./api.ts";
import { PluginError } from "./errors.ts";
import { pluginMountOps } from "./mount-ops.ts";

export interface HostPaths {
  root: string;
  dataRoot: string;
}

export function makePluginHost(manifest: PluginManifest, paths: HostPaths): PluginHost {
  return {
    root: paths.root,
    dataRoot: paths.dataRoot,
    stateDir() {
      const dir = join(paths.dataRoot, "plugins", manifest.name);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return dir;
    },
    withLock(name, fn) {
      if (!/^[a-zA-Z0-9_.-]+$/.test(name)) throw new PluginError(manifest.name, manifest.kind, `lock name "${name}" must be a plain file name`);
      const fd = openSync(join(this.stateDir(), `${name}.lock`), "a", 0o600);
      try {
        addon().flock(fd, true, true);
        return fn();
      } finally {
        closeSync(fd);
      }
    },
    hostNetlink: (hostNetns?: string) => (hostNetns ? Netlink.inNetns(hostNetns) : Netlink.open()),
    netnsNetlink: (netnsPath: string) => Netlink.inNetns(netnsPath),
    exec(argv, opts = {}) {
      const res = Bun.spawnSync(netnsExecArgv(opts.netns, argv), {
        stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
        stdout: "pipe",
        stderr: "pipe",
      });
      return { exitCode: res.exitCode ?? 1, stdout: res.stdout.toString(), stderr: res.stderr.toString() };
    },
    sysctl: (key, value, netns) => writeSysctl(netns, key, value),
    mounts: pluginMountOps(),
    debug(message) {
      if (process.env.HUSK_TRACE === "1" || process.env.HUSK_DEBUG === "1") process.stderr.write(`husk: debug: ${manifest.name}: ${message}\n`);
    },
    error: (message, hint) => new PluginError(manifest.name, manifest.kind, message, hint),
  };
}
