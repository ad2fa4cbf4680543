// linux.resources applied at create: the limits are in the container's cgroup files
// before its process runs, they are enforced, and knobs the host cannot honour are
// refused with the knob and the host mode named.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dirForController, hostCgroups, resolveCgroupsPath } from "../../src/runtime/cgroup-paths.ts";
import { huskBin, runSync, tempRoot, removeTempRoot } from "../helpers/husk.ts";
import { isRoot, OciSuite } from "./support/oci-run.ts";

const suite = new OciSuite("resources");
const sh = (script: string) => ["/bin/sh", "-c", script];
const v1 = hostCgroups().hierarchies.some((h) => !h.unified && h.controllers.includes("memory"));

suite.useHooks();

describe.skipIf(!isRoot || !v1)("linux.resources on cgroup v1", () => {
  test("limits are written before the process runs (read back from the host)", () => {
    const spec = suite.spec("limits", { args: ["/bin/sleep", "30"] });
    spec.linux.resources = {
      memory: { limit: 64 * 1024 * 1024, reservation: 32 * 1024 * 1024 },
      cpu: { shares: 512, quota: 20000, period: 100000, cpus: "0" },
      pids: { limit: 42 },
    };
    const root = tempRoot();
    const id = suite.id("limits");
    try {
      const bundle = suite.bundle("limits", spec);
      // The created container keeps husk's stdio: give it files, not pipes we would wait on.
      const errFile = join(suite.work, "limits.stderr");
      const created = Bun.spawnSync([huskBin(), "oci", "--root", root, "create", "--bundle", bundle, id], {
        stdout: Bun.file("/dev/null"),
        stderr: Bun.file(errFile),
      });
      expect(readFileSync(errFile, "utf8")).toBe("");
      expect(created.exitCode).toBe(0);
      const dirs = resolveCgroupsPath(spec.linux.cgroupsPath, id).dirs;
      const read = (ctrl: string, file: string) => readFileSync(join(dirForController(dirs, ctrl)!, file), "utf8").trim();
      expect(read("memory", "memory.limit_in_bytes")).toBe(String(64 * 1024 * 1024));
      expect(read("memory", "memory.soft_limit_in_bytes")).toBe(String(32 * 1024 * 1024));
      expect(read("cpu", "cpu.shares")).toBe("512");
      expect(read("cpu", "cpu.cfs_quota_us")).toBe("20000");
      expect(read("cpu", "cpu.cfs_period_us")).toBe("100000");
      expect(read("cpuset", "cpuset.cpus")).toBe("0");
      expect(read("pids", "pids.max")).toBe("42");
      const pid = JSON.parse(runSync([huskBin(), "oci", "--root", root, "state", id]).stdout).pid;
      expect(read("pids", "cgroup.procs")).toBe(String(pid));
    } finally {
      runSync([huskBin(), "oci", "--root", root, "delete", "--force", id]);
      removeTempRoot(root);
    }
  });

  test("pids.limit stops forks past the limit", () => {
    const spec = suite.spec("pids", { args: sh("for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait; echo done") });
    spec.linux.resources = { pids: { limit: 4 } };
    const r = suite.run("pids", spec);
    // The shell (pid 1 and 3 sleeps reach the limit of 4) fails its 4th fork and gives up.
    expect(r.stderr).toContain("can't fork: Resource temporarily unavailable");
    expect(r.stdout).toBe("");
    expect(r.exitCode).toBe(2);
    const unlimited = suite.run("pids-unlimited", { ...spec, linux: { ...spec.linux, resources: { pids: { limit: 20 } } } });
    expect(unlimited.stdout).toBe("done\n");
    expect(unlimited.exitCode).toBe(0);
  });

  test("device rules: the standard nodes work, a device not allowed does not", () => {
    const spec = suite.spec("devices", { args: sh("head -c 3 /dev/zero | wc -c; cat /dev/loop-control 2>&1; echo rc=$?") });
    spec.linux.resources = { devices: [{ allow: false, access: "rwm" }] };
    spec.mounts.push({ destination: "/dev/loop-control", type: "bind", source: "/dev/loop-control", options: ["bind"] });
    const r = suite.run("devices", spec);
    expect(r.stdout).toBe("3\ncat: can't open '/dev/loop-control': Operation not permitted\nrc=1\n");
    expect(r.exitCode).toBe(0);
  });

  test("a knob the host cannot honour is refused, naming it and the mode", () => {
    const spec = suite.spec("unified", { args: ["/bin/true"] });
    spec.linux.resources = { unified: { "memory.high": "100M" } };
    const r = suite.run("unified", spec);
    expect(r.stderr).toMatch(/^husk: linux\.resources\.unified\["memory\.high"\]: it is a cgroup v2 file and (the memory controller is not available in the cgroup2 hierarchy|this host has no cgroup2 hierarchy) \(cgroup mode (hybrid|v1)\)/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.exitCode).toBe(1);
    expect(existsSync(join(suite.work, "bundles", "unified", "config.json"))).toBe(true);
  });
});
