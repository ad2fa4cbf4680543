/** Validation of `process` (config.md "Process" and its Linux fields). */
import {
  CAPABILITIES,
  CAPABILITY_SETS,
  IOPRIO_CLASSES,
  RLIMIT_NAMES,
  SCHEDULER_FLAGS,
  SCHEDULER_POLICIES,
} from "../spec.ts";
import {
  type Obj,
  INT32,
  UINT32,
  UINT64,
  expectArray,
  expectNoNul,
  expectNonEmptyString,
  expectObject,
  expectOneOf,
  expectString,
  fail,
  get,
  join,
  optBool,
  optEach,
  optInt,
  optIntArray,
  optObject,
  optString,
  range,
  reqInt,
  reqOneOf,
  reqString,
} from "./check.ts";

const CPU_LIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

export function checkProcess(p: Obj, base: string): void {
  optBool(p, "terminal", base);

  const consoleSize = optObject(p, "consoleSize", base);
  if (consoleSize) {
    const path = join(base, "consoleSize");
    reqInt(consoleSize, "height", path, UINT32);
    reqInt(consoleSize, "width", path, UINT32);
  }

  const user = optObject(p, "user", base);
  if (user) checkUser(user, join(base, "user"));

  checkArgs(p, base);
  optString(p, "commandLine", base);

  optEach(p, "env", base, (v, path) => {
    const s = expectNoNul(expectString(v, path), path);
    const eq = s.indexOf("=");
    if (eq <= 0) fail(path, `must be a KEY=VALUE string (got ${JSON.stringify(s)})`);
  });

  const cwd = get(p, "cwd");
  if (cwd === undefined) fail(join(base, "cwd"), "is required");
  if (typeof cwd !== "string" || !cwd.startsWith("/")) {
    fail(join(base, "cwd"), typeof cwd === "string" ? "must be an absolute path" : "must be a string");
  }

  const caps = optObject(p, "capabilities", base);
  if (caps) checkCapabilities(caps, join(base, "capabilities"));

  checkRlimits(p, base);

  optString(p, "apparmorProfile", base);
  optInt(p, "oomScoreAdj", base, range(-1000, 1000));
  optString(p, "selinuxLabel", base);
  optBool(p, "noNewPrivileges", base);

  const scheduler = optObject(p, "scheduler", base);
  if (scheduler) checkScheduler(scheduler, join(base, "scheduler"));

  const ioPriority = optObject(p, "ioPriority", base);
  if (ioPriority) {
    const path = join(base, "ioPriority");
    reqOneOf(ioPriority, "class", path, IOPRIO_CLASSES, "I/O priority class");
    reqInt(ioPriority, "priority", path, range(0, 7));
  }

  const affinity = optObject(p, "execCPUAffinity", base);
  if (affinity) {
    const path = join(base, "execCPUAffinity");
    for (const key of ["initial", "final"]) {
      const list = optString(affinity, key, path);
      if (list !== undefined && list !== "" && !CPU_LIST.test(list)) {
        fail(join(path, key), `must be a CPU list such as "0-3,7" (got ${JSON.stringify(list)})`);
      }
    }
  }
}

function checkUser(user: Obj, path: string): void {
  // uid and gid are REQUIRED by the spec, but Go runtimes read an absent one as 0; so do we.
  user.uid = optInt(user, "uid", path, UINT32) ?? 0;
  user.gid = optInt(user, "gid", path, UINT32) ?? 0;
  optInt(user, "umask", path, UINT32);
  optIntArray(user, "additionalGids", path, UINT32);
  optString(user, "username", path);
}

function checkArgs(p: Obj, base: string): void {
  const path = join(base, "args");
  const v = get(p, "args");
  if (v === undefined) fail(path, "is required");
  const args = expectArray(v, path);
  if (args.length === 0) fail(path, "must not be empty");
  args.forEach((a, i) => {
    const argPath = join(path, i);
    const s = i === 0 ? expectNonEmptyString(a, argPath) : expectString(a, argPath);
    expectNoNul(s, argPath);
  });
}

function checkCapabilities(caps: Obj, path: string): void {
  for (const set of CAPABILITY_SETS) {
    optEach(caps, set, path, (v, p) => {
      const name = expectString(v, p);
      if (!Object.hasOwn(CAPABILITIES, name)) fail(p, `unknown capability ${JSON.stringify(name)}`);
    });
  }
}

function checkRlimits(p: Obj, base: string): void {
  const seen = new Map<string, string>();
  optEach(p, "rlimits", base, (v, path) => {
    const rl = expectObject(v, path);
    const type = reqString(rl, "type", path);
    const typePath = join(path, "type");
    expectOneOf(type, typePath, RLIMIT_NAMES, "rlimit type", false);
    const earlier = seen.get(type);
    if (earlier !== undefined) fail(typePath, `duplicate rlimit type ${JSON.stringify(type)} (also at ${earlier})`);
    seen.set(type, path);
    const hard = reqInt(rl, "hard", path, UINT64);
    const soft = reqInt(rl, "soft", path, UINT64);
    if (soft > hard) fail(join(path, "soft"), `soft limit ${soft} is above the hard limit ${hard}`);
  });
}

function checkScheduler(s: Obj, path: string): void {
  reqOneOf(s, "policy", path, SCHEDULER_POLICIES, "scheduler policy");
  optInt(s, "nice", path, range(-20, 19));
  optInt(s, "priority", path, INT32);
  optEach(s, "flags", path, (v, p) => expectOneOf(v, p, SCHEDULER_FLAGS, "scheduler flag"));
  optInt(s, "runtime", path, UINT64);
  optInt(s, "deadline", path, UINT64);
  optInt(s, "period", path, UINT64);
}
