// The engine face through dist/husk: run in the foreground and detached, ps, logs, exec,
// stop, kill, restart, wait, attach, inspect, rename, rm; and the error cases, each one
// line with docker's exit code and nothing left behind.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { isSameLiveProcess, readProcStat } from "../../src/state/proc-stat.ts";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { type EngineEnv, engineEnv, IMAGE } from "./support/engine.ts";

let env: EngineEnv;
let before: HostSnapshot;
const cg = () => ["--cgroup-parent", env.cgroupParent];
const run = (args: string[], stdin?: string) => env.husk(["run", ...cg(), ...args], stdin === undefined ? {} : { stdin });
const husk = (...args: string[]) => env.husk(args);

/** One line on stderr, starting with "husk: ". */
function oneLine(stderr: string, re: RegExp): void {
  expect(stderr).toMatch(/^husk: [^\n]*\n$/);
  expect(stderr).toMatch(re);
}

function nothingLeft(): void {
  expect(husk("ps", "-aq").stdout).toBe("");
  const containers = `${env.dataRoot}/containers`;
  expect(existsSync(containers) ? readdirSync(containers).filter((n) => !n.startsWith(".")) : []).toEqual([]);
  const snaps = `${env.dataRoot}/snapshots`;
  expect(existsSync(snaps) ? readdirSync(snaps).filter((n) => /^[0-9a-f]{64}$/.test(n)) : []).toEqual([]);
  const live = `${env.root}/engine`;
  expect(existsSync(live) ? readdirSync(live).filter((n) => n !== "events" && n !== "seccomp") : []).toEqual([]);
  expect(existsSync(`${env.root}/netns`) ? readdirSync(`${env.root}/netns`) : []).toEqual([]);
}

beforeAll(async () => {
  before = snapshotHost();
  env = await engineEnv("engine-lifecycle");
});

afterAll(() => {
  env.cleanup();
  // The parent is the test's; each container removed its own cgroups (checked here).
  removeTestCgroups("engine-lifecycle");
  assertNoLeaks(before);
});

describe("husk run in the foreground", () => {
  test("streams stdout and stderr apart and returns the exit code; --rm leaves nothing", () => {
    const r = run(["--rm", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 7"]);
    expect(r.stdout).toBe("out\n");
    expect(r.stderr).toBe("err\n");
    expect(r.exitCode).toBe(7);
    nothingLeft();
  });

  test("-i feeds stdin", () => {
    const r = run(["--rm", "-i", IMAGE, "sh", "-c", "read x; echo got $x; exit 5"], "hello\n");
    expect(r.stdout).toBe("got hello\n");
    expect(r.exitCode).toBe(5);
    nothingLeft();
  });

  test("127 for a missing command, 126 for one that cannot be executed, one line each", () => {
    const missing = run(["--rm", IMAGE, "/no/such/thing"]);
    expect(missing.exitCode).toBe(127);
    oneLine(missing.stderr, /no\/such\/thing.*ENOENT/);
    const notExec = run(["--rm", IMAGE, "/etc/passwd"]);
    expect(notExec.exitCode).toBe(126);
    oneLine(notExec.stderr, /\/etc\/passwd.*EACCES/);
    nothingLeft();
  });

  test("without --rm the container stays, exited, with its code and output in the logs", () => {
    const r = run(["--name", "kept", IMAGE, "sh", "-c", "echo one; echo two >&2; exit 3"]);
    expect(r.exitCode).toBe(3);
    const ps = husk("ps", "-a", "--format", "{{.Names}} {{.State}} {{.Status}}");
    expect(ps.stdout).toMatch(/^kept exited Exited \(3\)/);
    expect(husk("ps", "-q").stdout).toBe("");
    const logs = husk("logs", "kept");
    expect(logs.stdout).toBe("one\n");
    expect(logs.stderr).toBe("two\n");
    expect(husk("logs", "--tail", "1", "-t", "kept").stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z two\n$/);
    const state = JSON.parse(husk("inspect", "kept").stdout)[0].State;
    expect(state).toMatchObject({ Status: "exited", Running: false, ExitCode: 3, Pid: 0, OOMKilled: false });
    expect(Date.parse(state.FinishedAt)).toBeGreaterThanOrEqual(Date.parse(state.StartedAt));
    expect(husk("wait", "kept").stdout).toBe("3\n");
    // start -a runs it again and returns the code again.
    const again = husk("start", "-a", "kept");
    expect(again.stdout).toBe("one\n");
    expect(again.exitCode).toBe(3);
    expect(husk("rm", "kept").exitCode).toBe(0);
    nothingLeft();
  });
});

describe("detached containers", () => {
  test("run -d, ps, exec, logs -f, stop, start, restart, kill, rename, rm", () => {
    const r = run(["-d", "--name", "web", IMAGE, "sh", "-c", "echo ready; trap 'echo bye; exit 0' TERM; while :; do sleep 0.1; done"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const inspect = () => JSON.parse(husk("inspect", id.slice(0, 8)).stdout)[0];
    const pid = inspect().State.Pid;
    expect(inspect().State.Running).toBe(true);
    // The container is the monitor's child, not ours: the CLI has exited.
    const monitorPid = readProcStat(pid)!.ppid;
    expect(readProcStat(monitorPid)).toBeDefined();
    expect(husk("ps", "--format", "{{.ID}} {{.Names}} {{.State}}").stdout).toBe(`${id.slice(0, 12)} web running\n`);
    expect(husk("ps", "-q", "--no-trunc").stdout).toBe(`${id}\n`);
    expect(JSON.parse(husk("ps", "--format", "json").stdout).Names).toBe("web");
    const ex = husk("exec", "-e", "X=42", "-w", "/tmp", "web", "sh", "-c", "echo $X $(pwd); exit 4");
    expect(ex.stdout).toBe("42 /tmp\n");
    expect(ex.exitCode).toBe(4);
    expect(husk("exec", "web", "nothere").exitCode).toBe(127);
    expect(husk("exec", "-u", "app", "web", "id", "-u").stdout).toBe("1000\n");
    expect(husk("rename", "web", "web2").exitCode).toBe(0);
    expect(inspect().Name).toBe("/web2");
    // rm of a running container: refused, one line, still running.
    const rm = husk("rm", "web2");
    expect(rm.exitCode).toBe(1);
    oneLine(rm.stderr, /cannot remove container web2: it is running.*rm -f/);
    expect(isSameLiveProcess(pid, readProcStat(pid)!.startTime)).toBe(true);
    const stop = husk("stop", "-t", "5", "web2");
    expect(stop.exitCode).toBe(0);
    expect(inspect().State).toMatchObject({ Status: "exited", ExitCode: 0 });
    expect(husk("logs", "web2").stdout).toBe("ready\nbye\n");
    // exec into a stopped container: one line, 125.
    const exStopped = husk("exec", "web2", "true");
    expect(exStopped.exitCode).toBe(125);
    oneLine(exStopped.stderr, /cannot exec in container web2: it is not running \(exited\)/);
    expect(husk("start", "web2").exitCode).toBe(0);
    expect(inspect().State.Running).toBe(true);
    expect(husk("restart", "-t", "5", "web2").exitCode).toBe(0);
    expect(inspect().State.Running).toBe(true);
    expect(husk("kill", "-s", "KILL", "web2").exitCode).toBe(0);
    expect(husk("wait", "web2").stdout).toBe("137\n");
    expect(husk("logs", "web2").stdout).toBe("ready\nbye\nready\nbye\nready\n");
    expect(husk("rm", "web2").exitCode).toBe(0);
    nothingLeft();
  });

  test("rm -f kills a running container and removes everything", () => {
    const id = run(["-d", IMAGE, "sleep", "1000"]).stdout.trim();
    const pid = JSON.parse(husk("inspect", id).stdout)[0].State.Pid;
    expect(husk("rm", "-f", id).exitCode).toBe(0);
    expect(readProcStat(pid)?.state ?? "gone").toMatch(/gone|Z/);
    nothingLeft();
  });

  test("a detached --rm container removes itself when it exits (the monitor runs the cleanup)", () => {
    const id = run(["-d", "--rm", IMAGE, "sh", "-c", "exit 0"]).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    // wait returns once the container is done; the monitor's cleanup then finishes before it exits.
    husk("wait", id);
    for (let i = 0; i < 100 && husk("ps", "-aq").stdout !== ""; i++) Bun.sleepSync(50);
    nothingLeft();
  });

  test("a killed monitor does not make ps lie; stop and rm still work", () => {
    const id = run(["-d", IMAGE, "sleep", "1000"]).stdout.trim();
    const pid = JSON.parse(husk("inspect", id).stdout)[0].State.Pid;
    const monitorPid = readProcStat(pid)!.ppid;
    process.kill(monitorPid, "SIGKILL");
    for (let i = 0; i < 100 && readProcStat(monitorPid)?.state !== undefined && readProcStat(monitorPid)?.state !== "Z"; i++) Bun.sleepSync(10);
    expect(husk("ps", "--format", "{{.State}}").stdout).toBe("running\n");
    expect(husk("stop", "-t", "1", id).exitCode).toBe(0);
    expect(husk("ps", "-a", "--format", "{{.State}}").stdout).toBe("exited\n");
    expect(husk("rm", id).exitCode).toBe(0);
    nothingLeft();
  });
});

describe("errors: one line, docker's exit code, nothing left", () => {
  test("unknown image with --pull never, and an unreachable one", () => {
    const r = run(["--pull", "never", "localhost/nope:1", "true"]);
    expect(r.exitCode).toBe(125);
    oneLine(r.stderr, /no such image: localhost\/nope:1/);
    const p = run(["127.0.0.1:1/nope:1", "true"]);
    expect(p.exitCode).toBe(125);
    expect(p.stderr).toMatch(/^Unable to find image '127.0.0.1:1\/nope:1' locally\nhusk: unable to find image "127.0.0.1:1\/nope:1" locally, and pulling it failed: [^\n]+\n$/);
    nothingLeft();
  });

  test("a name in use", () => {
    expect(husk("create", ...cg(), "--name", "taken", IMAGE, "true").exitCode).toBe(0);
    const r = run(["--name", "taken", IMAGE, "true"]);
    expect(r.exitCode).toBe(125);
    oneLine(r.stderr, /the container name "taken" is already in use by container [0-9a-f]{12}/);
    expect(husk("rm", "taken").exitCode).toBe(0);
    nothingLeft();
  });

  test("bad flag values", () => {
    for (const [flags, re] of [
      [["--memory", "lots"], /invalid value "lots" for --memory/],
      [["--cpus=-2"], /invalid value "-2" for --cpus/],
      [["--restart", "sometimes"], /invalid value "sometimes" for --restart/],
      [["-v", "/a:relative"], /for --volume: the container path must be absolute/],
      [["--ulimit", "nofile=9:1"], /soft limit is above the hard limit/],
      [["--network", "nosuchnet"], /network "nosuchnet" not found/],
      [["--cap-add", "CAP_FLY"], /invalid value "CAP_FLY" for --cap-add/],
      [["--pull", "sometimes"], /invalid value "sometimes" for --pull/],
      [["--platform", "linux/s390x", "--pull", "never"], /is here only for linux\/\w+, not linux\/s390x/],
      [["--security-opt", "seccomp=/no/profile.json"], /seccomp=\/no\/profile.json: cannot read the profile: ENOENT/],
      [["-u", "ghost"], /user "ghost" is not in the image's \/etc\/passwd/],
      [["--name", "bad/name"], /invalid container name "bad\/name"/],
    ] as [string[], RegExp][]) {
      const r = run([...flags, IMAGE, "true"]);
      expect(r.exitCode).toBe(125);
      oneLine(r.stderr, re);
    }
    nothingLeft();
  });

  test("unknown containers", () => {
    for (const verb of ["stop", "start", "rm", "logs", "kill", "inspect", "wait"]) {
      const r = husk(verb, "nonesuch");
      expect(r.exitCode).not.toBe(0);
      oneLine(r.stderr, /no such container: nonesuch/);
    }
    expect(husk("rm", "-f", "nonesuch").exitCode).toBe(0);
  });
});
