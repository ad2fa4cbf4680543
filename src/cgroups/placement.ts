// Where each knob is written: the v1 hierarchy that carries its controller, else the
// unified hierarchy when the controller is enabled there. Anything else is refused with
// the knob and the host mode named.
import type { LinuxResources } from "../oci/spec.ts";
import { resourceKnobs } from "./knobs.ts";
import { unsupported } from "./unsupported.ts";
import type { CgroupWrite } from "./writes.ts";

export interface ControllerHome {
  /** v1 controller -> the container's directory in that hierarchy. */
  v1: (controller: string) => string | undefined;
  /** The container's unified directory, the hierarchy's mount point, and the
   * controllers the hierarchy offers. */
  v2Dir?: string;
  v2Root?: string;
  v2Controllers: ReadonlySet<string>;
  mode: string;
}

/** "blkio" is "io" on v2. */
const V2_NAME: Record<string, string> = { blkio: "io" };

/** On v2 a controller works in a cgroup only when every ancestor enables it for its
 * children: "+memory +pids" into each cgroup.subtree_control from the root down to the
 * container's parent (which, as the kernel requires, must not hold processes itself). */
function enableWrites(home: ControllerHome, controllers: ReadonlySet<string>): CgroupWrite[] {
  if (!controllers.size || !home.v2Dir || !home.v2Root) return [];
  const value = [...controllers].map((c) => `+${c}`).join(" ");
  const out: CgroupWrite[] = [];
  const rel = home.v2Dir.slice(home.v2Root.length).split("/").filter(Boolean);
  for (let depth = 0; depth < rel.length; depth++) {
    const dir = [home.v2Root, ...rel.slice(0, depth)].join("/");
    out.push({ path: `${dir}/cgroup.subtree_control`, value, knob: `enable ${value} for children of ${dir}` });
  }
  return out;
}

export function resourceWrites(r: LinuxResources | undefined, home: ControllerHome): CgroupWrite[] {
  if (!r) return [];
  const out: CgroupWrite[] = [];
  const v2Used = new Set<string>();
  let knobs;
  try {
    knobs = resourceKnobs(r);
  } catch (e) {
    throw unsupported("linux.resources", (e as Error).message, home.mode);
  }
  for (const k of knobs) {
    const knob = `linux.resources.${k.knob}`;
    const v1dir = k.v1 ? home.v1(k.controller) : undefined;
    if (v1dir && k.v1) {
      out.push({ path: `${v1dir}/${k.v1.file}`, value: k.v1.value, knob });
      continue;
    }
    const v2name = V2_NAME[k.controller] ?? k.controller;
    if (home.v2Dir && home.v2Controllers.has(v2name)) {
      if (k.v2Covered) continue;
      if (!k.v2) throw unsupported(knob, k.v2Missing ?? "not expressible on cgroup v2", home.mode);
      out.push({ path: `${home.v2Dir}/${k.v2.file}`, value: k.v2.value, knob });
      v2Used.add(v2name);
      continue;
    }
    // Say the real reason: v2 cannot express it, the knob exists only on v2, or the
    // controller is missing altogether.
    let why = `no ${k.controller} controller is available to this container`;
    if (home.v2Dir && !k.v2 && k.v2Missing) why = k.v2Missing;
    else if (!k.v1 && !home.v2Dir) why = "it is a cgroup v2 file and this host has no cgroup2 hierarchy";
    else if (!k.v1) why = `it is a cgroup v2 file and the ${v2name} controller is not available in the cgroup2 hierarchy`;
    throw unsupported(knob, why, home.mode);
  }
  return [...enableWrites(home, v2Used), ...out];
}
