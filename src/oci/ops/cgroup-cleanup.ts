// Removing a container's cgroups: kill what is left in them, then rmdir leaf-first.
import { readFileSync, rmdirSync } from "node:fs";
import { addon } from "../../native/addon.ts";
import type { CgroupPlacement } from "../../state/container-state.ts";

export function cgroupPids(placement: CgroupPlacement): number[] {
  const pids = new Set<number>();
  for (const dir of [...placement.dirs, ...(placement.v2Dir ? [placement.v2Dir] : [])]) {
    try {
      for (const line of readFileSync(`${dir}/cgroup.procs`, "utf8").split("\n")) if (line) pids.add(Number(line));
    } catch {}
  }
  return [...pids];
}

export function killCgroup(placement: CgroupPlacement, signal: number): number[] {
  const pids = cgroupPids(placement);
  for (const pid of pids) addon().killPid(pid, signal);
  return pids;
}

/** Remove the container's cgroup directories (and the parents husk created). Returns
 * the directories that could not be removed. */
export function removeCgroups(placement: CgroupPlacement): string[] {
  const leaves = [...placement.dirs, ...(placement.v2Dir ? [placement.v2Dir] : [])];
  const all = [...new Set([...leaves, ...placement.created])].sort((a, b) => b.length - a.length);
  const failed: string[] = [];
  for (const dir of all) {
    for (let attempt = 0; ; attempt++) {
      try {
        rmdirSync(dir);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "ENOENT") break;
        // A just-killed process can keep the cgroup busy for a moment.
        if (code === "EBUSY" && attempt < 50) {
          for (const pid of cgroupPids({ dirs: [dir], created: [] })) addon().waitPidExit(pid, 20);
          Bun.sleepSync(2);
          continue;
        }
        // Parents shared with other containers are not ours to remove.
        if (code === "ENOTEMPTY" && !leaves.includes(dir)) break;
        failed.push(`${dir} (${code})`);
        break;
      }
    }
  }
  return failed;
}
