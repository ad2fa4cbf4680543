/** Validation of `mounts` (config.md "Mounts"). */
import { type Obj, expectObject, join, optEach, optString, optStringArray, reqAbsolutePath } from "./check.ts";
import { checkIdMappings } from "./linux.ts";

export function checkMounts(spec: Obj, base: string): void {
  optEach(spec, "mounts", base, (v, path) => {
    const m = expectObject(v, path);
    reqAbsolutePath(m, "destination", path);
    optString(m, "type", path);
    optString(m, "source", path);
    optStringArray(m, "options", path);
    checkIdMappings(m, "uidMappings", path);
    checkIdMappings(m, "gidMappings", path);
  });
}
