// Everything a container's linux.resources asks of its cgroups at create: file writes,
// plus (on cgroup v2) the device rules for husk-core's eBPF filter.
import type { Spec } from "../oci/spec.ts";
import { type DeviceRule, deviceRule } from "./devices.ts";
import { effectiveDeviceRules } from "./knobs.ts";
import { type ControllerHome, resourceWrites } from "./placement.ts";
import { unsupported } from "./unsupported.ts";
import type { CgroupWrite } from "./writes.ts";

export function cgroupLimits(spec: Spec, home: ControllerHome): { cgroupWrites: CgroupWrite[]; deviceRules: DeviceRule[] } {
  const r = spec.linux?.resources;
  if (!r) return { cgroupWrites: [], deviceRules: [] };
  const devices = effectiveDeviceRules(r.devices, spec.linux?.devices);
  const { devices: _, ...rest } = r;
  const cgroupWrites = resourceWrites(rest, home);
  if (!devices.length) return { cgroupWrites, deviceRules: [] };
  if (home.v1("devices")) return { cgroupWrites: [...cgroupWrites, ...resourceWrites({ devices }, home)], deviceRules: [] };
  if (!home.v2Dir) throw unsupported("linux.resources.devices", "no devices controller and no cgroup v2 directory", home.mode);
  try {
    return { cgroupWrites, deviceRules: devices.map((d, i) => deviceRule(d, `linux.resources.devices[${i}]`)) };
  } catch (e) {
    throw unsupported("linux.resources.devices", (e as Error).message, home.mode);
  }
}
