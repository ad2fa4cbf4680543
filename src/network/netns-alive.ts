// Whether a netns path still holds a network namespace: a bind-mounted nsfs file has the
// nsfs device; once unmounted (container removed, host rebooted) the path is a plain file
// or gone. Used to reclaim leases and endpoints of containers that died without detach.
import { statSync } from "node:fs";

let nsfsDev: number | undefined;

export function netnsAlive(path: string | undefined): boolean {
  if (!path) return false;
  try {
    nsfsDev ??= statSync("/proc/self/ns/net").dev;
    return statSync(path).dev === nsfsDev;
  } catch {
    return false;
  }
}
