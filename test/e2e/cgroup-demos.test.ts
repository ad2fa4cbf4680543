// The classic limits, proven on this host's cgroups: OOM kill (reported), CPU quota
// (throttling counters), pids (fork limit, in oci-resources), freezer (pause stops CPU use).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dirForController, hostCgroups, resolveCgroupsPath } from "../../src/runtime/cgroup-paths.ts";
import { huskBin, removeTempRoot, runSync, tempRoot } from "../helpers/husk.ts";
import { isRoot, OciSuite } from "./support/oci-run.ts";

const suite = new OciSuite("demos");
const sh = (script: string) => ["/bin/sh", "-c", script];
const MiB = 1024 * 1024;
const v1 = hostCgroups().hierarchies.some((h) => !h.unified && h.controllers.includes("memory"));

/** Runs `fn` against a created+started container and always deletes it. */
async function withContainer(name: string, spec: Record<string, any>, fn: (h: { id: string; root: string; dir: (c: string) => string; husk: (...a: string[]) => ReturnType<typeof runSync> }) => Promise<void>) {
  const root = tempRoot();
  const id = suite.id(name);
  const husk = (...a: string[]) => runSync([huskBin(), "oci", "--root", root, ...a]);
  try {
    const bundle = suite.bundle(name, spec);
    const created = Bun.spawnSync([huskBin(), "oci", "--root", root, "create", "--bundle", bundle, id], { stdout: Bun.file("/dev/null"), stderr: Bun.file("/dev/null") });
    expect(created.exitCode).toBe(0);
    const dirs = resolveCgroupsPath(spec.linux.cgroupsPath, id).dirs;
    await fn({ id, root, husk, dir: (c) => dirForController(dirs, c)! });
  } finally {
    husk("delete", "--force", id);
    removeTempRoot(root);
  }
}

const readKeyed = (path: string) => Object.fromEntries(readFileSync(path, "utf8").trim().split("\n").map((l) => l.split(" ")).map(([k, v]) => [k, Number(v)]));

suite.useHooks();

describe.skipIf(!isRoot || !v1)("cgroup demos (v1 / hybrid host)", () => {
  test("10 MB memory limit: `head -c 15728640 /dev/zero | tail` is OOM-killed (137)", () => {
    const spec = suite.spec("oom-pipe", { args: sh("head -c 15728640 /dev/zero | tail") });
    spec.linux.resources = { memory: { limit: 10 * MiB, swap: 10 * MiB } };
    const r = suite.run("oom-pipe", spec);
    expect(r.exitCode).toBe(137);
    const unlimited = suite.run("oom-pipe-free", { ...spec, linux: { ...spec.linux, resources: undefined } });
    expect(unlimited.exitCode).toBe(0);
  });

  test("100 MB limit and a memory hog: the OOM kill shows in the counters and as an `oom` event", async () => {
    // The hog (tail buffering 200 MB) starts shortly after `start`; `events` is already watching.
    const spec = suite.spec("oom-hog", { args: sh("sleep 0.3; head -c 209715200 /dev/zero | tail; sleep 30") });
    spec.linux.resources = { memory: { limit: 100 * MiB, swap: 100 * MiB } };
    await withContainer("oom-hog", spec, async ({ id, husk, dir, root }) => {
      const events = Bun.spawn([huskBin(), "oci", "--root", root, "events", "--interval", "10s", id], { stdout: "pipe", stderr: "pipe" });
      expect(husk("start", id).exitCode).toBe(0);
      const reader = events.stdout.getReader();
      let out = "";
      while (!out.includes('"type":"oom"')) {
        const { value, done } = await reader.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      events.kill();
      await events.exited;
      expect(out).toContain(`{"type":"oom","id":"${id}"}`);
      expect(readKeyed(join(dir("memory"), "memory.oom_control")).oom_kill).toBeGreaterThanOrEqual(1);
      const stats = JSON.parse(husk("events", "--stats", id).stdout);
      expect(stats.data.memory.oomKills).toBeGreaterThanOrEqual(1);
      expect(stats.data.memory.usage.limit).toBe(100 * MiB);
    });
  });

  test("0.01 CPU: a busy loop is throttled and gets about 1% of a core", async () => {
    const spec = suite.spec("cpu", { args: sh("while :; do :; done") });
    spec.linux.resources = { cpu: { quota: 1000, period: 100000 } };
    await withContainer("cpu", spec, async ({ id, husk, dir }) => {
      const usage = () => Number(readFileSync(join(dir("cpuacct"), "cpuacct.usage"), "utf8"));
      const stat = () => readKeyed(join(dir("cpu"), "cpu.stat"));
      expect(husk("start", id).exitCode).toBe(0);
      const p0 = stat().nr_periods;
      const u0 = usage();
      // Let 10 quota periods (1 s) pass, as counted by the kernel itself.
      while (stat().nr_periods - p0 < 10) await Bun.sleep(50);
      const periods = stat().nr_periods - p0;
      const used = usage() - u0;
      expect(stat().nr_throttled).toBeGreaterThan(0);
      // 1 ms per 100 ms period, with one period of slack for the boundaries.
      expect(used).toBeLessThanOrEqual((periods + 1) * 1_000_000 * 1.2);
    });
  });

  test("pause freezes a busy loop (its CPU use stops growing) and resume continues it", async () => {
    const spec = suite.spec("freeze", { args: sh("while :; do :; done") });
    await withContainer("freeze", spec, async ({ id, husk, dir }) => {
      const usage = () => Number(readFileSync(join(dir("cpuacct"), "cpuacct.usage"), "utf8"));
      expect(husk("start", id).exitCode).toBe(0);
      expect(husk("pause", id).exitCode).toBe(0);
      expect(JSON.parse(husk("state", id).stdout).status).toBe("paused");
      const frozenAt = usage();
      await Bun.sleep(300);
      expect(usage()).toBe(frozenAt);
      expect(husk("resume", id).exitCode).toBe(0);
      const resumedAt = usage();
      while (usage() - resumedAt < 50_000_000) await Bun.sleep(20); // 50 ms of CPU: it runs again
      expect(JSON.parse(husk("state", id).stdout).status).toBe("running");
    });
  });
});
