/** Validation of `linux.resources` (config-linux.md "Control groups"). */
import {
  type IntRange,
  type Obj,
  INT64,
  UINT16,
  UINT32,
  UINT64,
  expectObject,
  fail,
  join,
  optBool,
  optEach,
  optInt,
  optMap,
  optObject,
  optOneOf,
  optString,
  optStringMap,
  reqBool,
  reqInt,
  reqString,
} from "./check.ts";

const PAGE_SIZE = /^[0-9]+[KMGTPE]?B$/;
const DEVICE_ACCESS = /^[rwm]*$/;
const CGROUP_DEVICE_TYPES = ["a", "c", "b"] as const;

export function checkResources(r: Obj, base: string): void {
  optEach(r, "devices", base, (v, path) => {
    const d = expectObject(v, path);
    reqBool(d, "allow", path);
    optOneOf(d, "type", path, CGROUP_DEVICE_TYPES, "device type");
    optInt(d, "major", path, INT64);
    optInt(d, "minor", path, INT64);
    const access = optString(d, "access", path);
    if (access !== undefined && !DEVICE_ACCESS.test(access)) {
      fail(join(path, "access"), `must contain only the letters r, w and m (got ${JSON.stringify(access)})`);
    }
  });

  const memory = optObject(r, "memory", base);
  if (memory) {
    const path = join(base, "memory");
    for (const key of ["limit", "reservation", "swap", "kernel", "kernelTCP"]) optInt(memory, key, path, INT64);
    optInt(memory, "swappiness", path, UINT64);
    for (const key of ["disableOOMKiller", "useHierarchy", "checkBeforeUpdate"]) optBool(memory, key, path);
  }

  const cpu = optObject(r, "cpu", base);
  if (cpu) {
    const path = join(base, "cpu");
    const ints: [string, IntRange][] = [
      ["shares", UINT64],
      ["quota", INT64],
      ["burst", UINT64],
      ["period", UINT64],
      ["realtimeRuntime", INT64],
      ["realtimePeriod", UINT64],
      ["idle", INT64],
    ];
    for (const [key, range] of ints) optInt(cpu, key, path, range);
    optString(cpu, "cpus", path);
    optString(cpu, "mems", path);
  }

  const pids = optObject(r, "pids", base);
  if (pids) reqInt(pids, "limit", join(base, "pids"), INT64);

  const blockIO = optObject(r, "blockIO", base);
  if (blockIO) checkBlockIO(blockIO, join(base, "blockIO"));

  optEach(r, "hugepageLimits", base, (v, path) => {
    const h = expectObject(v, path);
    const pageSize = reqString(h, "pageSize", path);
    if (!PAGE_SIZE.test(pageSize)) {
      fail(join(path, "pageSize"), `must be a size such as "2MB" or "1GB" (got ${JSON.stringify(pageSize)})`);
    }
    reqInt(h, "limit", path, UINT64);
  });

  const network = optObject(r, "network", base);
  if (network) {
    const path = join(base, "network");
    optInt(network, "classID", path, UINT32);
    optEach(network, "priorities", path, (v, p) => {
      const prio = expectObject(v, p);
      reqString(prio, "name", p);
      reqInt(prio, "priority", p, UINT32);
    });
  }

  optMap(r, "rdma", base, (v, path) => {
    const rdma = expectObject(v, path);
    optInt(rdma, "hcaHandles", path, UINT32);
    optInt(rdma, "hcaObjects", path, UINT32);
  });

  optStringMap(r, "unified", base);
}

function checkBlockIO(b: Obj, base: string): void {
  optInt(b, "weight", base, UINT16);
  optInt(b, "leafWeight", base, UINT16);
  optEach(b, "weightDevice", base, (v, path) => {
    const d = expectObject(v, path);
    reqInt(d, "major", path, INT64);
    reqInt(d, "minor", path, INT64);
    optInt(d, "weight", path, UINT16);
    optInt(d, "leafWeight", path, UINT16);
  });
  for (const key of [
    "throttleReadBpsDevice",
    "throttleWriteBpsDevice",
    "throttleReadIOPSDevice",
    "throttleWriteIOPSDevice",
  ]) {
    optEach(b, key, base, (v, path) => {
      const d = expectObject(v, path);
      reqInt(d, "major", path, INT64);
      reqInt(d, "minor", path, INT64);
      reqInt(d, "rate", path, UINT64);
    });
  }
}
