/** Validation of `linux` (config-linux.md), except `resources` (resources.ts). */
import {
  DEVICE_TYPES,
  NAMESPACE_TYPES,
  PERSONALITY_DOMAINS,
  ROOTFS_PROPAGATIONS,
  TIME_OFFSET_CLOCKS,
  type LinuxNamespaceType,
} from "../spec.ts";
import {
  type Obj,
  INT64,
  SpecError,
  UINT32,
  expectAbsolutePath,
  expectObject,
  expectOneOf,
  fail,
  get,
  join,
  optAbsolutePath,
  optBool,
  optEach,
  optInt,
  optMap,
  optObject,
  optOneOf,
  optString,
  optStringArray,
  optStringMap,
  range,
  reqAbsolutePath,
  reqInt,
  reqOneOf,
} from "./check.ts";
import { normalizeSeccomp } from "../seccomp/normalize.ts";
import { checkResources } from "./resources.ts";

/** Where each namespace type appears in linux.namespaces, and whether it joins a path. */
export interface NamespaceIndex {
  get(type: LinuxNamespaceType): { path: string; joins: boolean } | undefined;
}

/** The index of a spec without a `linux` section. */
export const NO_NAMESPACES: NamespaceIndex = { get: () => undefined };

/** Checks `linux` and returns the namespace index (for checks that span sections). */
export function checkLinux(l: Obj, base: string): NamespaceIndex {
  const namespaces = checkNamespaces(l, base);

  const uidMappings = checkIdMappings(l, "uidMappings", base);
  const gidMappings = checkIdMappings(l, "gidMappings", base);
  const userNs = namespaces.get("user");
  if (userNs !== undefined && !userNs.joins) {
    if (uidMappings === 0) fail(join(base, "uidMappings"), `must not be empty when a new user namespace is created (${userNs.path})`);
    if (gidMappings === 0) fail(join(base, "gidMappings"), `must not be empty when a new user namespace is created (${userNs.path})`);
  }
  if (userNs === undefined) {
    if (uidMappings > 0) fail(join(base, "uidMappings"), 'requires a user namespace (no "user" entry in linux.namespaces)');
    if (gidMappings > 0) fail(join(base, "gidMappings"), 'requires a user namespace (no "user" entry in linux.namespaces)');
  }

  const timeOffsets = optMap(l, "timeOffsets", base, (v, path, clock) => {
    expectOneOf(clock, path, TIME_OFFSET_CLOCKS, "clock");
    const offset = expectObject(v, path);
    optInt(offset, "secs", path, INT64);
    optInt(offset, "nanosecs", path, range(0, 999_999_999));
  });
  if (timeOffsets !== undefined && Object.keys(timeOffsets).length > 0) {
    const timeNs = namespaces.get("time");
    if (timeNs === undefined || timeNs.joins) {
      fail(join(base, "timeOffsets"), 'requires a new time namespace ("time" entry without a path in linux.namespaces)');
    }
  }

  optEach(l, "devices", base, (v, path) => checkDevice(expectObject(v, path), path));

  optMap(l, "netDevices", base, (v, path) => {
    const dev = expectObject(v, path);
    optString(dev, "name", path);
  });

  optString(l, "cgroupsPath", base);

  const resources = optObject(l, "resources", base);
  if (resources) checkResources(resources, join(base, "resources"));

  const rdt = optObject(l, "intelRdt", base);
  if (rdt) checkIntelRdt(rdt, join(base, "intelRdt"));

  optStringMap(l, "sysctl", base);

  const seccomp = optObject(l, "seccomp", base);
  if (seccomp) checkSeccomp(seccomp, join(base, "seccomp"));

  optOneOf(l, "rootfsPropagation", base, ROOTFS_PROPAGATIONS, "propagation");

  for (const key of ["maskedPaths", "readonlyPaths"]) {
    optEach(l, key, base, (v, path) => expectAbsolutePath(v, path));
  }

  optString(l, "mountLabel", base);

  const personality = optObject(l, "personality", base);
  if (personality) {
    const path = join(base, "personality");
    reqOneOf(personality, "domain", path, Object.keys(PERSONALITY_DOMAINS), "personality domain");
    optStringArray(personality, "flags", path);
  }

  return namespaces;
}

function checkNamespaces(l: Obj, base: string): NamespaceIndex {
  const seen = new Map<LinuxNamespaceType, { path: string; joins: boolean }>();
  optEach(l, "namespaces", base, (v, path) => {
    const ns = expectObject(v, path);
    const type = reqOneOf(ns, "type", path, NAMESPACE_TYPES, "namespace type");
    const earlier = seen.get(type);
    if (earlier !== undefined) {
      fail(join(path, "type"), `duplicate namespace type ${JSON.stringify(type)} (also at ${earlier.path})`);
    }
    const nsPath = optAbsolutePath(ns, "path", path);
    seen.set(type, { path, joins: nsPath !== undefined && nsPath !== "" });
  });
  return { get: (type) => seen.get(type) };
}

/** Checks an array of ID mappings; returns how many entries it has (0 when absent). */
export function checkIdMappings(obj: Obj, key: string, base: string): number {
  const list = optEach(obj, key, base, (v, path) => {
    const m = expectObject(v, path);
    reqInt(m, "containerID", path, UINT32);
    reqInt(m, "hostID", path, UINT32);
    reqInt(m, "size", path, range(1, 2 ** 32 - 1));
  });
  return list?.length ?? 0;
}

function checkDevice(d: Obj, path: string): void {
  reqAbsolutePath(d, "path", path);
  const type = reqOneOf(d, "type", path, DEVICE_TYPES, "device type");
  if (type === "p") {
    optInt(d, "major", path, INT64);
    optInt(d, "minor", path, INT64);
  } else {
    for (const key of ["major", "minor"]) {
      if (get(d, key) === undefined) fail(join(path, key), `is required for device type "${type}"`);
      reqInt(d, key, path, range(0, 2 ** 32 - 1));
    }
  }
  optInt(d, "fileMode", path, UINT32);
  optInt(d, "uid", path, UINT32);
  optInt(d, "gid", path, UINT32);
}

function checkIntelRdt(rdt: Obj, path: string): void {
  for (const key of ["closID", "l3CacheSchema", "memBwSchema"]) optString(rdt, key, path);
  const schemata = get(rdt, "schemata");
  if (schemata !== undefined && typeof schemata !== "string") {
    const ok = Array.isArray(schemata) && schemata.every((line) => typeof line === "string");
    if (!ok) fail(join(path, "schemata"), "must be a string or an array of strings");
  }
  for (const key of ["enableCMT", "enableMBM", "enableMonitoring"]) optBool(rdt, key, path);
}

/** The seccomp normalizer owns the profile rules; its errors read "<path>: <problem>". */
function checkSeccomp(seccomp: Obj, path: string): void {
  try {
    normalizeSeccomp(seccomp, path);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    const sep = e.message.indexOf(": ");
    if (sep > 0 && e.message.startsWith(path)) {
      throw new SpecError(e.message.slice(0, sep), e.message.slice(sep + 2));
    }
    throw new SpecError(path, e.message);
  }
}
