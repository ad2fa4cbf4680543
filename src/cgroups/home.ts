// Builds the ControllerHome of a container from its cgroup placement and the host.
import { readFileSync } from "node:fs";
import { dirForController, type HostCgroups, hostCgroups } from "../runtime/cgroup-paths.ts";
import type { ControllerHome } from "./placement.ts";

/** The controllers a cgroup2 hierarchy offers (its root's cgroup.controllers). */
export function rootControllers(mountPoint: string | undefined, read = (p: string) => readFileSync(p, "utf8")): Set<string> {
  if (!mountPoint) return new Set();
  try {
    return new Set(read(`${mountPoint}/cgroup.controllers`).trim().split(/\s+/).filter(Boolean));
  } catch {
    return new Set();
  }
}

export function controllerHome(placement: { dirs: string[]; v2Dir?: string }, mode: string, host: HostCgroups = hostCgroups()): ControllerHome {
  const unified = host.hierarchies.find((h) => h.unified);
  return {
    v1: (controller) => dirForController(placement.dirs, controller, host),
    v2Dir: placement.v2Dir,
    v2Root: unified?.mountPoint,
    v2Controllers: rootControllers(unified?.mountPoint),
    mode,
  };
}
