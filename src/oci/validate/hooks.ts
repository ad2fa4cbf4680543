/** Validation of `hooks` (config.md "POSIX-platform Hooks"). */
import { HOOK_NAMES } from "../spec.ts";
import {
  type Obj,
  POSITIVE,
  expectObject,
  join,
  optEach,
  optInt,
  optObject,
  optStringArray,
  reqAbsolutePath,
} from "./check.ts";

export function checkHooks(spec: Obj, base: string): void {
  const hooks = optObject(spec, "hooks", base);
  if (hooks === undefined) return;
  const hooksPath = join(base, "hooks");
  for (const phase of HOOK_NAMES) {
    optEach(hooks, phase, hooksPath, (v, path) => {
      const hook = expectObject(v, path);
      reqAbsolutePath(hook, "path", path);
      optStringArray(hook, "args", path);
      optStringArray(hook, "env", path);
      optInt(hook, "timeout", path, POSITIVE);
    });
  }
}
