// container prune, system info/df/prune and system restore through dist/husk. restore is
// tested by simulating a reboot: monitors and containers SIGKILLed, snapshots and netns
// unmounted, cgroups removed, <root> deleted; then restore, twice.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { readProcStat } from "../../src/state/proc-stat.ts";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { huskBin, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { type EngineEnv, engineEnv, IMAGE } from "./support/engine.ts";

let env: EngineEnv;
let before: HostSnapshot;
const husk = (...args: string[]) => env.husk(args);
/** Two-word commands (system info, container prune): the root flags after both words. */
const husk2 = (a: string, b: string, args: string[], stdin?: string) =>
  runSync([huskBin(), a, b, "--root", env.root, "--data-root", env.dataRoot, ...args], stdin === undefined ? {} : { stdin });
const run = (...args: string[]) => env.husk(["run", "--cgroup-parent", env.cgroupParent, ...args]);
const mounted = (path: string) => readFileSync("/proc/self/mountinfo", "utf8").split("\n").some((l) => l.split(" ")[4] === path);

beforeAll(async () => {
  before = snapshotHost();
  env = await engineEnv("engine-system");
});

afterAll(() => {
  env.cleanup();
  removeTestCgroups("engine-system");
  assertNoLeaks(before);
});

describe("info, df, prune", () => {
  test("system info: docker's facts, text and json", () => {
    run("-d", "--name", "up", IMAGE, "sleep", "1000");
    run("--name", "done", IMAGE, "sh", "-c", "echo x > /file; exit 0");
    const info = JSON.parse(husk2("system", "info", ["--format", "json"]).stdout);
    expect(info).toMatchObject({ Containers: 2, ContainersRunning: 1, ContainersPaused: 0, ContainersStopped: 1, Images: 1, DefaultRuntime: "husk", CgroupDriver: "cgroupfs", DockerRootDir: env.dataRoot, HuskRunRoot: env.root, OSType: "linux" });
    expect(info.KernelVersion).toBe(readFileSync("/proc/sys/kernel/osrelease", "utf8").trim());
    expect(["overlay", "copy"]).toContain(info.Driver);
    expect(["1", "2"]).toContain(info.CgroupVersion);
    expect(info.Plugins.Network).toEqual(expect.arrayContaining(["none", "host"]));
    const text = husk("info").stdout;
    expect(text).toMatch(/^Containers: 2\n Running: 1\n Paused: 0\n Stopped: 1\nImages: 1\n/);
    expect(text).toMatch(/\nDefault Runtime: husk\n/);
    expect(husk("info", "--format", "{{.ContainersRunning}} {{.Driver}}").stdout).toBe(`1 ${info.Driver}\n`);
  });

  test("system df: totals and -v rows", () => {
    const rows = husk2("system", "df", ["--format", "json"]).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.Type, r.TotalCount, r.Active])).toEqual([["Images", "1", "1"], ["Containers", "2", "1"], ["Local Volumes", "0", "0"], ["Build Cache", "0", "0"]]);
    expect(rows[0].Size).toMatch(/^[\d.]+[kMG]?B$/);
    expect(rows[0].Size).not.toBe("0B");
    expect(rows[1].Reclaimable).toMatch(/^[\d.]+[kM]?B \(\d+%\)$/);
    const table = husk2("system", "df", []).stdout;
    expect(table.split("\n")[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    const v = husk2("system", "df", ["-v"]).stdout;
    expect(v).toMatch(/Containers space usage:\n\nCONTAINER ID\s+IMAGE\s+SIZE\s+STATUS\s+NAMES\n/);
    expect(v).toMatch(/[0-9a-f]{12}\s+localhost\/husk-e2e\/busybox:1\s+\S+\s+exited\s+done\n/);
  });

  test("container prune: only stopped ones, filters, the question", () => {
    const no = husk2("container", "prune", [], "n\n");
    expect(no.stdout).toMatch(/^WARNING! This will remove all stopped containers\.\nAre you sure you want to continue\? \[y\/N\] \n$/);
    expect(husk("ps", "-aq").stdout.trim().split("\n").length).toBe(2);
    // until=1h: both were made just now, so nothing goes.
    expect(husk2("container", "prune", ["-f", "--filter", "until=1h"]).stdout).toBe("Total reclaimed space: 0B\n");
    const doneId = JSON.parse(husk("inspect", "done").stdout)[0].Id;
    const r = husk2("container", "prune", ["-f"]);
    expect(r.stdout).toMatch(new RegExp(`^Deleted Containers:\\n${doneId}\\n\\nTotal reclaimed space: [\\d.]+k?B\\n$`));
    expect(husk("ps", "-a", "--format", "{{.Names}}").stdout).toBe("up\n");
    const bad = husk2("container", "prune", ["-f", "--filter", "colour=red"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^husk: invalid filter "colour=red"[^\n]*\n$/);
  });

  test("system prune -a --volumes: stopped containers, unused volumes and images; running ones stay", () => {
    run("--name", "vol", "-v", "keepme:/data", IMAGE, "true");
    run("--name", "vol2", "-v", "/anon", IMAGE, "true");
    const anon = JSON.parse(husk("inspect", "vol2").stdout)[0].Mounts.find((m: { Destination: string }) => m.Destination === "/anon").Name;
    expect(husk("rm", "vol2").exitCode).toBe(0);
    const r = husk2("system", "prune", ["-a", "-f", "--volumes"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n\n/);
    // Anonymous volumes only (docker's rule); the named one stays.
    expect(r.stdout).toContain(`Deleted Volumes:\n${anon}\n\n`);
    expect(runSync([huskBin(), "volume", "ls", "-q", "--root", env.root, "--data-root", env.dataRoot]).stdout).toBe("keepme\n");
    // The image is used by the running container: it stays.
    expect(r.stdout).not.toContain("Deleted Images");
    expect(husk("ps", "-a", "--format", "{{.Names}}").stdout).toBe("up\n");
    expect(runSync([huskBin(), "image", "ls", "-q", "--data-root", env.dataRoot]).stdout.trim()).not.toBe("");
    expect(husk("rm", "-f", "up").exitCode).toBe(0);
  });
});

describe("system restore", () => {
  test("a simulated reboot brings back always and unless-stopped containers, once", () => {
    const ids: Record<string, string> = {};
    for (const [name, policy] of [["alw", "always"], ["unl", "unless-stopped"], ["usr", "unless-stopped"], ["nop", "no"]] as const) {
      ids[name] = run("-d", "--name", name, "--restart", policy!, "--network", "none", IMAGE, "sleep", "1000").stdout.trim();
    }
    expect(husk("stop", "-t", "1", "usr").exitCode).toBe(0);
    // "Reboot": everything that lived in memory or under <root> goes.
    for (const name of ["alw", "unl", "nop"]) {
      const pid = JSON.parse(husk("inspect", name).stdout)[0].State.Pid;
      const monitor = readProcStat(pid)!.ppid;
      process.kill(monitor, "SIGKILL");
      process.kill(pid, "SIGKILL");
    }
    for (const id of Object.values(ids)) {
      for (let i = 0; i < 200 && mounted(`${env.dataRoot}/snapshots/${id}/merged`); i++) {
        if (runSync(["umount", `${env.dataRoot}/snapshots/${id}/merged`]).exitCode !== 0) Bun.sleepSync(20);
      }
    }
    for (const ns of existsSync(`${env.root}/netns`) ? readdirSync(`${env.root}/netns`) : []) runSync(["umount", `${env.root}/netns/${ns}`]);
    rmSync(env.root, { recursive: true, force: true });
    // The containers' cgroups die with the boot too.
    for (let i = 0; ; i++) {
      try {
        removeTestCgroups("engine-system");
        break;
      } catch (e) {
        if (i > 100) throw e;
        Bun.sleepSync(30);
      }
    }
    expect(husk("ps", "--format", "{{.Names}}").stdout).toBe("");
    const r = husk2("system", "restore", []);
    expect(r).toMatchObject({ exitCode: 0, stderr: "" });
    expect(r.stdout.trim().split("\n").sort()).toEqual([ids.alw!, ids.unl!].sort());
    expect(husk("ps", "--format", "{{.Names}} {{.State}}").stdout.split("\n").filter(Boolean).sort()).toEqual(["alw running", "unl running"]);
    for (const id of Object.values(ids)) expect(mounted(`${env.dataRoot}/snapshots/${id}/merged`)).toBe(true);
    // --network none got its namespace back: lo is up inside.
    expect(husk("exec", "alw", "cat", "/sys/class/net/lo/operstate").stdout).toMatch(/^(unknown|up)\n$/);
    // Again: nothing to do.
    const again = husk2("system", "restore", []);
    expect(again).toMatchObject({ exitCode: 0, stdout: "", stderr: "" });
    expect(husk("ps", "-q").stdout.trim().split("\n").length).toBe(2);
    expect(husk("rm", "-f", ...Object.values(ids)).exitCode).toBe(0);
  });
});

