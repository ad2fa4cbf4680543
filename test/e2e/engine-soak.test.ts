// The soak: 50 detached containers started and then removed in parallel; in between, ps
// agrees with /proc and the state dir; at the end nothing is left (mounts, cgroups,
// monitors, netns, state files).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { isSameLiveProcess, readProcStat } from "../../src/state/proc-stat.ts";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { type EngineEnv, engineEnv, IMAGE } from "./support/engine.ts";

const COUNT = Number(process.env.HUSK_SOAK_COUNT ?? 50);
let env: EngineEnv;
let before: HostSnapshot;

beforeAll(async () => {
  before = snapshotHost();
  env = await engineEnv("engine-soak");
});

afterAll(() => {
  env.cleanup();
  removeTestCgroups("engine-soak");
  assertNoLeaks(before, { settleMs: 5000 });
});

async function parallel(argvs: string[][]): Promise<{ code: number; out: string; err: string }[]> {
  return Promise.all(
    argvs.map(async (args) => {
      const p = Bun.spawn(env.argv(args), { stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      return { code, out, err };
    }),
  );
}

test(`${COUNT} detached containers in parallel: ps agrees with /proc; all removed in parallel`, async () => {
  const started = await parallel(Array.from({ length: COUNT }, (_, i) => ["run", "-d", "--name", `soak-${i}`, "--cgroup-parent", env.cgroupParent, IMAGE, "sleep", "1000"]));
  for (const r of started) {
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
  }
  const ids = new Set(started.map((r) => r.out.trim()));
  expect(ids.size).toBe(COUNT);
  const ps = env.husk(["ps", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.State}}"]).stdout.trim().split("\n");
  expect(ps.length).toBe(COUNT);
  const info = JSON.parse(env.husk(["inspect", ...ids]).stdout) as { Id: string; State: { Pid: number; Running: boolean } }[];
  for (const c of info) {
    expect(c.State.Running).toBe(true);
    const st = readProcStat(c.State.Pid)!;
    expect(isSameLiveProcess(c.State.Pid, st.startTime)).toBe(true);
    // Each container's parent is its own monitor, alive.
    expect(readProcStat(st.ppid)?.state).not.toBe("Z");
  }
  expect(new Set(info.map((c) => readProcStat(c.State.Pid)!.ppid)).size).toBe(COUNT);
  expect(readdirSync(`${env.root}/engine`).filter((n) => /^[0-9a-f]{64}$/.test(n)).sort()).toEqual([...ids].sort());
  const removed = await parallel([...ids].map((id) => ["rm", "-f", id]));
  for (const r of removed) expect(`${r.code} ${r.err}`).toBe("0 ");
  expect(env.husk(["ps", "-aq"]).stdout).toBe("");
  for (const c of info) expect(readProcStat(c.State.Pid)?.state ?? "gone").toMatch(/gone|Z/);
  expect(existsSync(`${env.root}/netns`) ? readdirSync(`${env.root}/netns`) : []).toEqual([]);
}, 600_000);
