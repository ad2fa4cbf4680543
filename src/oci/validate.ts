/**
 * config.json validation. `parseSpec` and `validateSpec` return a typed Spec or throw a
 * SpecError whose message is one line naming the exact JSON path of the first problem:
 *
 *   process.args[0]: must be a non-empty string
 *   linux.namespaces[2].type: unknown namespace type "foo" (expected one of pid, network, ...)
 *   config.json: invalid JSON at line 3 column 5: expected "," or "}", got "x"
 *
 * Unknown fields are tolerated, as the runtime-spec asks; known fields of the wrong type
 * are not. JSON nulls are read as absent fields and dropped from the result. The checks
 * of each section live in src/oci/validate/.
 */
import type { Spec } from "./spec.ts";
import {
  type Obj,
  SpecError,
  expectNonEmptyString,
  fail,
  get,
  isObject,
  join,
  optBool,
  optObject,
  optString,
  optStringMap,
  reqObject,
} from "./validate/check.ts";
import { checkHooks } from "./validate/hooks.ts";
import { parseJson } from "./validate/json.ts";
import { NO_NAMESPACES, checkLinux } from "./validate/linux.ts";
import { checkMounts } from "./validate/mounts.ts";
import { checkProcess } from "./validate/process.ts";

export { SpecError } from "./validate/check.ts";
export { CAPABILITIES, CAPABILITY_NAMES, NAMESPACE_TYPES, RLIMITS, RLIMIT_NAMES } from "./spec.ts";

export interface ValidateOptions {
  /**
   * `process` is required for create/run (the default). Pass false for operations that
   * only read the rest of the bundle.
   */
  requireProcess?: boolean;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Parse and validate the text of a config.json; `source` names it in JSON syntax errors. */
export function parseSpec(text: string, source: string, opts: ValidateOptions = {}): Spec {
  const value = parseJson(text, source);
  try {
    return validateSpec(value, opts);
  } catch (e) {
    if (e instanceof SpecError) e.source = source;
    throw e;
  }
}

/**
 * Validate a decoded config.json. The input is not modified: the result is a copy, with
 * JSON nulls removed and process.user.uid/gid defaulted to 0 when absent.
 */
export function validateSpec(value: unknown, opts: ValidateOptions = {}): Spec {
  if (!isObject(value)) fail("", "config must be a JSON object");
  const spec = structuredClone(value) as Obj;

  checkOciVersion(spec);

  const root = reqObject(spec, "root", "");
  const rootPath = get(root, "path");
  if (rootPath === undefined) fail("root.path", "is required");
  expectNonEmptyString(rootPath, "root.path");
  optBool(root, "readonly", "root");

  checkMounts(spec, "");

  const proc = optObject(spec, "process", "");
  if (proc !== undefined) checkProcess(proc, "process");
  else if (opts.requireProcess !== false) fail("process", "is required");

  const hostname = optString(spec, "hostname", "");
  const domainname = optString(spec, "domainname", "");
  checkHooks(spec, "");

  const annotations = optStringMap(spec, "annotations", "");
  if (annotations !== undefined && Object.hasOwn(annotations, "")) {
    fail(join("annotations", ""), "annotation keys must not be empty");
  }

  const linux = optObject(spec, "linux", "");
  const namespaces = linux === undefined ? NO_NAMESPACES : checkLinux(linux, "linux");

  for (const [key, value] of [
    ["hostname", hostname],
    ["domainname", domainname],
  ] as const) {
    if (value !== undefined && value !== "" && namespaces.get("uts") === undefined) {
      fail(key, 'can only be set with a "uts" entry in linux.namespaces');
    }
  }

  return spec as unknown as Spec;
}

function checkOciVersion(spec: Obj): void {
  const v = get(spec, "ociVersion");
  if (v === undefined) fail("ociVersion", "is required");
  if (typeof v !== "string") fail("ociVersion", "must be a string");
  const m = SEMVER.exec(v);
  if (m === null) fail("ociVersion", `${JSON.stringify(v)} is not a SemVer version such as "1.2.0"`);
  if (m[1] !== "1") fail("ociVersion", `${JSON.stringify(v)} is not supported (husk speaks runtime-spec 1.x)`);
}
