// husk-core monitor through its TS client, as root, on busybox bundles: logs, attach,
// wait-for-attach, pty size, restart back-off, stop escalation, OOM, a killed CLI,
// --rm cleanup, netns add/del, RSS, exec failure codes. Nothing may leak.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { controllerHome } from "../../src/cgroups/home.ts";
import { cgroupLimits } from "../../src/cgroups/limits.ts";
import { addNetns, removeNetns } from "../../src/engine/netns.ts";
import { attach, launchMonitor, monitorAlive, readStatus, StartError, stop, type MonitorStatus } from "../../src/engine/monitor-client.ts";
import { followLogs, readLogs } from "../../src/engine/logs.ts";
import { cgroupMode, resolveCgroupsPath } from "../../src/runtime/cgroup-paths.ts";
import { buildPlan } from "../../src/runtime/plan-builder.ts";
import { type MonitorSettings, oomCountersFor, parseRestartPolicy } from "../../src/runtime/plan-monitor.ts";
import { isSameLiveProcess } from "../../src/state/proc-stat.ts";
import { ensureBusyboxRootfs, ociSpec } from "../fixtures/busybox-rootfs.ts";
import { ownCgroupParent, removeTestCgroups } from "../helpers/cgroup.ts";
import { REPO_ROOT, tempRoot } from "../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";

const isRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;
let rootfs = "";
let root = "";
let before: HostSnapshot;
const cgroupNames: string[] = [];

beforeAll(async () => {
  if (!isRoot) return;
  rootfs = await ensureBusyboxRootfs();
  before = snapshotHost();
  root = tempRoot();
});

afterAll(() => {
  if (!isRoot) return;
  for (const n of cgroupNames) removeTestCgroups(n);
  rmSync(root, { recursive: true, force: true });
  // Others test on this host at the same time: only what names this test counts (our
  // root, our cgroups, husk-core started from this checkout).
  const ours = (e: string) => e.includes(root) || e.includes(`husk-test-${process.pid}-`) || e.includes(REPO_ROOT);
  assertNoLeaks(before, { paths: [root], ignore: (e) => !ours(e) });
});

interface Box {
  dir: string;
  sock: string;
  log: string;
  plan: Uint8Array;
  cgroup: ReturnType<typeof resolveCgroupsPath>;
}

/** A container dir under the test root and a monitor plan for `script` run by sh. */
function box(name: string, script: string, settings: Partial<MonitorSettings> = {}, opts: { terminal?: boolean; memory?: number } = {}): Box {
  const dir = join(root, "engine", name);
  mkdirSync(dir, { recursive: true });
  const cgName = ownCgroupParent(name);
  cgroupNames.push(name);
  const spec = ociSpec({ args: ["sh", "-c", script], cgroupsPath: cgName, terminal: opts.terminal }) as never as Parameters<typeof buildPlan>[0]["spec"];
  if (opts.memory) spec.linux!.resources = { memory: { limit: opts.memory, swap: opts.memory } };
  const mode = cgroupMode();
  const cgroup = resolveCgroupsPath(cgName, name);
  const sock = join(dir, "attach.sock");
  const log = join(dir, "container.log");
  const plan = buildPlan({
    id: name,
    spec,
    bundle: dir,
    rootfs,
    detach: false,
    cgroup,
    cgroupMode: mode,
    ...cgroupLimits(spec, controllerHome(cgroup, mode)),
    stateJson: "{}",
    monitor: { statusFile: join(dir, "status.msgpack"), attachSocket: sock, logPath: log, oomCounters: oomCountersFor(cgroup), ...settings },
  });
  return { dir, sock, log, plan, cgroup };
}

/** Poll a condition (the monitor works on its own; we can only look). */
async function until<T>(what: string, probe: () => T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** The final status, once the monitor is gone. */
async function finalStatus(b: Box): Promise<MonitorStatus> {
  return until("the monitor to finish", () => {
    const st = readStatus(b.dir);
    return st && st.status === "exited" && !monitorAlive(st) ? st : undefined;
  });
}

function collector() {
  const chunks: Uint8Array[] = [];
  return { write: (c: Uint8Array) => chunks.push(c), text: () => Buffer.concat(chunks).toString() };
}

describe.skipIf(!isRoot)("husk-core monitor", () => {
  test("output lands in the log with stream tags; status records the exit", async () => {
    const b = box("log", "echo out-line; echo err-line >&2; exit 3");
    const { monitorPid, pid } = await launchMonitor(b.plan);
    expect(monitorPid).toBeGreaterThan(0);
    expect(pid).not.toBe(monitorPid);
    const st = await finalStatus(b);
    expect(st).toMatchObject({ status: "exited", exitCode: 3, signal: 0, oomKilled: false, restartCount: 0, pid: 0 });
    expect(st.startedAt! <= st.finishedAt!).toBe(true);
    const raw = readFileSync(b.log, "utf8");
    expect(raw).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F out-line$/m);
    expect(raw).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stderr F err-line$/m);
    expect(existsSync(b.sock)).toBe(false);
  });

  test("attach receives live output and the exit code", async () => {
    const b = box("attach", "echo hello; echo oops >&2; exit 4", { waitForAttach: true });
    await launchMonitor(b.plan);
    expect(readStatus(b.dir)?.status).toBe("created");
    const out = collector();
    const err = collector();
    const exit = await attach(b.sock, { start: true, stdout: out, stderr: err });
    expect(exit).toEqual({ exitCode: 4, signal: 0, oomKilled: false });
    expect(out.text()).toBe("hello\n");
    expect(err.text()).toBe("oops\n");
    await finalStatus(b);
  });

  test("wait-for-attach loses nothing: 3000 lines at once reach the client and the log", async () => {
    const b = box("burst", "i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); done", { waitForAttach: true });
    await launchMonitor(b.plan);
    const out = collector();
    const exit = await attach(b.sock, { start: true, stdout: out });
    expect(exit.exitCode).toBe(0);
    const lines = out.text().trimEnd().split("\n");
    expect(lines.length).toBe(3000);
    expect(lines[0]).toBe("line-0");
    expect(lines[2999]).toBe("line-2999");
    await finalStatus(b);
    expect(readLogs(b.log).map((l) => l.text)).toEqual(lines);
  });

  test("logs -f follows the log across rotations without losing or repeating a line", async () => {
    const b = box("follow", "i=0; while [ $i -lt 600 ]; do echo follow-$i; i=$((i+1)); [ $((i % 100)) = 0 ] && sleep 0.1; done", {
      logMaxSize: 2048,
      logMaxFile: 100,
    });
    await launchMonitor(b.plan);
    const seen: string[] = [];
    await followLogs(b.log, { pollMs: 10, done: () => readStatus(b.dir)?.status === "exited" }, (l) => seen.push(l.text));
    expect(seen.length).toBe(600);
    expect(seen).toEqual(Array.from({ length: 600 }, (_, i) => `follow-${i}`));
    const files = readdirSync(b.dir).filter((f) => f.startsWith("container.log"));
    expect(files.length).toBeGreaterThan(5); // it did rotate
    await finalStatus(b);
  });

  test("stdin frames reach an open stdin, and the empty frame closes it", async () => {
    const b = box("stdin", "tr a-z A-Z", { waitForAttach: true, openStdin: true });
    await launchMonitor(b.plan);
    const { Readable } = await import("node:stream");
    const out = collector();
    const exit = await attach(b.sock, { start: true, stdout: out, stdin: Readable.from([Buffer.from("hello "), Buffer.from("monitor\n")]) });
    expect(exit.exitCode).toBe(0);
    expect(out.text()).toBe("HELLO MONITOR\n");
    await finalStatus(b);
  });

  test("a pty run reports the window size set by a resize frame", async () => {
    const b = box("pty", "stty size; tty", { waitForAttach: true }, { terminal: true });
    await launchMonitor(b.plan);
    const out = collector();
    const exit = await attach(b.sock, { start: true, tty: true, size: { rows: 33, cols: 101 }, stdout: out });
    expect(exit.exitCode).toBe(0);
    expect(out.text()).toBe("33 101\r\n/dev/pts/0\r\n");
    await finalStatus(b);
  });

  test("restart on-failure:2 restarts exactly twice, with back-off, then records the final exit", async () => {
    const b = box("restart", "echo run; exit 7", { restart: parseRestartPolicy("on-failure:2") });
    await launchMonitor(b.plan);
    const st = await finalStatus(b);
    expect(st).toMatchObject({ status: "exited", exitCode: 7, restartCount: 2 });
    const runs = readLogs(b.log).filter((l) => l.text === "run");
    expect(runs.length).toBe(3);
    // 100 ms, then 200 ms between runs (lower bounds only).
    const t = runs.map((r) => Date.parse(r.time.replace(/(\.\d{3})\d+Z$/, "$1Z")));
    expect(t[1]! - t[0]!).toBeGreaterThanOrEqual(95);
    expect(t[2]! - t[1]!).toBeGreaterThanOrEqual(195);
  });

  test("stop escalates to SIGKILL for a process that ignores SIGTERM; no restart after", async () => {
    const b = box("stop", "trap '' TERM; echo ready; while :; do sleep 1; done", { restart: parseRestartPolicy("always") });
    const { pid } = await launchMonitor(b.plan);
    await until("ready in the log", () => readLogs(b.log).some((l) => l.text === "ready"));
    const exit = await stop(b.sock, 1);
    expect(exit).toEqual({ exitCode: 137, signal: 9, oomKilled: false });
    const st = await finalStatus(b);
    expect(st).toMatchObject({ status: "exited", exitCode: 137, signal: 9, restartCount: 0 });
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  test("an OOM kill is recorded", async () => {
    const b = box("oom", "head -c 15728640 /dev/zero | tail", {}, { memory: 10 * MiB });
    await launchMonitor(b.plan);
    const st = await finalStatus(b);
    expect(st.oomKilled).toBe(true);
    expect(st.exitCode).not.toBe(0);
  });

  test("the CLI killed with -9 leaves the container running and the status right", async () => {
    const b = box("cli-killed", "echo up; while :; do sleep 1; done");
    const planFile = join(b.dir, "plan.bin");
    writeFileSync(planFile, b.plan);
    const cli = Bun.spawn([process.execPath, join(import.meta.dir, "support/monitor-launcher.ts"), planFile], { stdout: "pipe", stderr: "inherit" });
    const reader = cli.stdout.getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      line += Buffer.from(value).toString();
    }
    const { monitorPid, pid } = JSON.parse(line) as { monitorPid: number; pid: number };
    cli.kill(9);
    await cli.exited;
    const st = readStatus(b.dir)!;
    expect(st).toMatchObject({ status: "running", monitorPid, pid });
    expect(isSameLiveProcess(pid, st.pidStartTime)).toBe(true);
    expect(monitorAlive(st)).toBe(true);
    await until("output in the log", () => readLogs(b.log).some((l) => l.text === "up"));
    const exit = await stop(b.sock, 0);
    expect(exit?.signal).toBe(9);
    expect((await finalStatus(b)).exitCode).toBe(137);
  });

  test("--rm cleanup argv runs on exit when no client acks", async () => {
    const marker = join(root, "cleanup-ran");
    const b = box("rm", "exit 0", { waitForAttach: true, cleanupArgv: ["/bin/sh", "-c", `echo "$HUSK_MONITOR_CLEANUP" > ${marker}`] });
    const { monitorPid } = await launchMonitor(b.plan);
    await attach(b.sock, { start: true });
    await finalStatus(b); // the monitor waits for its cleanup before it goes
    expect(readFileSync(marker, "utf8")).toBe(`${monitorPid}\n`);
    rmSync(marker);
  });

  test("--rm cleanup argv does not run when the client acks (frame 5)", async () => {
    const marker = join(root, "cleanup-acked");
    const b = box("rm-ack", "exit 0", { waitForAttach: true, cleanupArgv: ["/bin/sh", "-c", `touch ${marker}`] });
    await launchMonitor(b.plan);
    await attach(b.sock, { start: true, ackCleanup: true });
    await finalStatus(b);
    expect(existsSync(marker)).toBe(false);
  });

  test("exec failures end as docker's 127 and 126, leaving no monitor behind", async () => {
    for (const [name, args, code] of [["enoent", "/no/such/binary", 127], ["eacces", "/etc/passwd", 126]] as const) {
      const b = box(name, "true");
      const spec = ociSpec({ args: [args], cgroupsPath: ownCgroupParent(name) }) as never as Parameters<typeof buildPlan>[0]["spec"];
      const plan = buildPlan({
        id: name, spec, bundle: b.dir, rootfs, detach: false, cgroup: b.cgroup, cgroupMode: cgroupMode(), stateJson: "{}",
        monitor: { statusFile: join(b.dir, "status.msgpack"), attachSocket: b.sock },
      });
      const e = await launchMonitor(plan).catch((x) => x);
      expect(e).toBeInstanceOf(StartError);
      expect((e as StartError).code).toBe(code);
      expect(existsSync(b.sock)).toBe(false);
    }
  });

  test("monitor RSS stays under 1 MB", async () => {
    const b = box("rss", "echo x; while :; do sleep 1; done", { waitForAttach: true });
    const { monitorPid } = await launchMonitor(b.plan);
    const attached = attach(b.sock, { start: true, stdout: collector() });
    await until("output in the log", () => readLogs(b.log).length > 0);
    const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${monitorPid}/status`, "utf8"))![1]);
    console.log(`monitor VmRSS ${rssKb} kB (attached, logging)`);
    expect(rssKb).toBeLessThan(1024);
    await stop(b.sock, 0);
    expect((await attached).signal).toBe(9);
    await finalStatus(b);
  });

  test("netns add/del: lo is up inside, and nothing is left behind", () => {
    const path = join(root, "netns-test");
    addNetns(path);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).toContain(` ${path} `);
    const r = Bun.spawnSync(["nsenter", `--net=${path}`, "ip", "-o", "link", "show", "lo"], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.stdout.toString()).toContain("UP");
    expect(() => addNetns(path)).toThrow(/EEXIST/);
    removeNetns(path);
    expect(existsSync(path)).toBe(false);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(` ${path} `);
    removeNetns(path); // idempotent
  });
});
