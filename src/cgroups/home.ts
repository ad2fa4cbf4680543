// Builds the ControllerHome of a container from its cgroup placement and the host.
import { readFileSync } from "node:fs";
import { dirForController, type HostCgroups, hostCgroups } from "../runtime/cgroup-paths.ts";
import type { ControllerHome } from "./placement.ts";

/** Controllers a new child of `dir`'s nearest existing ancestor gets on v2. */
export function v2ControllersFor(dir: string | undefined, read = (p: string) => readFileSync(p, "utf8")): Set<string> {
  for (let d = dir; d && d.includes("/"); d = d.slice(0, d.lastIndexOf("/"))) {
    try {
      // An existing directory: its own controllers if it is the container's, else the
      // ones it hands down to children.
      const file = d === dir ? "cgroup.controllers" : "cgroup.subtree_control";
      return new Set(read(`${d}/${file}`).trim().split(/\s+/).filter(Boolean));
    } catch {}
  }
  return new Set();
}

export function controllerHome(placement: { dirs: string[]; v2Dir?: string }, mode: string, host: HostCgroups = hostCgroups()): ControllerHome {
  return {
    v1: (controller) => dirForController(placement.dirs, controller, host),
    v2Dir: placement.v2Dir,
    v2Controllers: v2ControllersFor(placement.v2Dir),
    mode,
  };
}
