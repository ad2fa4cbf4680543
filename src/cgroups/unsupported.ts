import { HuskError } from "../runtime/errors.ts";

/** A resource this host cannot enforce: refused, never silently ignored. */
export function unsupported(knob: string, why: string, mode: string): HuskError {
  return new HuskError(`${knob}: ${why} (cgroup mode ${mode})`, "remove the setting or run on a host that has the controller");
}
