// The OCI verbs of dist/husk, end to end: every verb of runc's command line driven through
// the compiled executable against the busybox bundle, with stdout, stderr and exit codes
// checked, and nothing left on the host afterwards (mounts, cgroups, processes, state).
//
// Each test uses its own --root (tempRoot) and its own linux.cgroupsPath (ownCgroupParent).
// Containers talk back through a host dir bind-mounted on their /tmp: a fifo the container
// writes once it is ready (read by a bounded `timeout cat`), or a plain marker file.
//
// A detached container (create, run --detach, exec --detach) inherits husk's stdio and keeps
// it open, so those commands run with stdout/stderr redirected to files, never to pipes
// (a pipe would only reach EOF when the container exits).

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle, ociSpec, type SpecOptions } from "../fixtures/busybox-rootfs.ts";
import { ownCgroupParent, ownHierarchies, testCgroupDirs } from "../helpers/cgroup.ts";
import { runSync, tempRoot } from "../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { useOciCli } from "./support/oci-cli.ts";

setDefaultTimeout(60_000);

const cli = useOciCli("life", import.meta.file);
const { skip, roots, cgNames, husk, oci, runDetached, expectOk, expectError, alive, readFifo } = cli;

interface StateJson {
  ociVersion: string;
  id: string;
  pid: number;
  status: string;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations: Record<string, string>;
}

function state(root: string, id: string): StateJson {
  const res = oci(root, ["state", id]);
  expectOk(res);
  return JSON.parse(res.stdout) as StateJson;
}

/** Poll `state` (bounded) until the container reaches `want`. */
function waitStatus(root: string, id: string, want: string, timeoutMs = 15_000): StateJson {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = state(root, id);
    if (s.status === want) return s;
    if (Date.now() > deadline) throw new Error(`container ${id} still ${s.status} after ${timeoutMs} ms (wanted ${want})`);
    Bun.sleepSync(20);
  }
}

function waitGone(pid: number, timeoutMs = 15_000): void {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still alive after ${timeoutMs} ms`);
    Bun.sleepSync(20);
  }
}

interface Box {
  name: string;
  id: string;
  root: string;
  cg: string;
  /** host dir bind-mounted on the container's /tmp */
  out: string;
  bundle: string;
  snap: HostSnapshot;
  /** make a fifo in out/ and return its host path (the container sees /tmp/<name>) */
  fifo(name: string): string;
  /** the state dir of the container under --root */
  stateDir: string;
}

/**
 * One test's container: its own --root, cgroupsPath, host dir on /tmp and bundle. The
 * shell script runs as `sh -c script <work>/<name>/tag`, so that a leaked process names
 * the test dir in its cmdline (the leak check looks for it).
 */
function box(name: string, script: string, opts: Partial<SpecOptions> & { config?: (c: Record<string, any>) => void } = {}): Box {
  const dir = join(cli.work, name);
  const out = join(dir, "out");
  mkdirSync(out, { recursive: true });
  chmodSync(out, 0o777);
  const root = tempRoot();
  roots.push(root);
  cgNames.push(name);
  const cg = ownCgroupParent(name);
  const { config: tweak, ...specOpts } = opts;
  const spec = ociSpec({ args: ["sh", "-c", script, join(dir, "tag")], cgroupsPath: cg, ...specOpts }) as Record<string, any>;
  spec.mounts.push({ destination: "/tmp", type: "bind", source: out, options: ["rbind", "rw"] });
  tweak?.(spec);
  const bundle = makeBundle({ rootfs: cli.rootfs, dir: join(dir, "bundle"), config: spec });
  return {
    name,
    id: name,
    root,
    cg,
    out,
    bundle,
    snap: snapshotHost({ root, paths: [cli.work] }),
    fifo(n: string) {
      const p = join(out, n);
      const r = runSync(["mkfifo", "-m", "0666", p]);
      if (r.exitCode !== 0) throw new Error(`mkfifo ${p}: ${r.stderr}`);
      return p;
    },
    stateDir: join(root, "containers", name),
  };
}

function cgroupDirsExisting(name: string): string[] {
  return testCgroupDirs(name).filter((d) => existsSync(d));
}

/** Host path of a cgroup knob: the v1 controller's dir if mounted, else the unified dir. */
function cgroupKnob(name: string, v1ctrl: string, v1file: string, v2file: string): string {
  const hs = ownHierarchies();
  const v1 = hs.find((h) => h.name.split(",").includes(v1ctrl));
  if (v1) return join(v1.ownDir, ownCgroupParent(name), v1file);
  const v2 = hs.find((h) => h.name === "unified");
  if (!v2) throw new Error(`no hierarchy for ${v1ctrl}`);
  return join(v2.ownDir, ownCgroupParent(name), v2file);
}

/** Everything of this container is gone: state dir, cgroups, and the leak check is clean. */
function expectGone(b: Box, pids: number[] = []): void {
  expect(existsSync(b.stateDir)).toBe(false);
  expect(cgroupDirsExisting(b.name)).toEqual([]);
  for (const pid of pids) expect(alive(pid)).toBe(false);
  assertNoLeaks(b.snap, { root: b.root, ignore: (e) => e === `state file: ${b.root}/containers/` });
}

/** create + start a long-running container that reports ready through a fifo. */
function startBox(name: string, opts: Parameters<typeof box>[2] = {}, body = "exec sleep 1000"): { b: Box; pid: number } {
  const b = box(name, `echo ready > /tmp/ready; ${body}`, opts);
  const ready = b.fifo("ready");
  expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
  expectOk(oci(b.root, ["start", b.id]), "");
  expect(readFifo(ready)).toBe("ready\n");
  const s = state(b.root, b.id);
  expect(s.status).toBe("running");
  return { b, pid: s.pid };
}

/** delete --force and check that nothing is left. */
function forceDelete(b: Box, pids: number[] = []): void {
  expectOk(oci(b.root, ["delete", "--force", b.id]), "");
  expectGone(b, pids);
}

// ---------------------------------------------------------------------------------------

describe.skipIf(skip)("oci spec", () => {
  test("writes config.json; a second call fails with 'already exists'", () => {
    const dir = join(cli.work, "spec");
    mkdirSync(dir, { recursive: true });
    const root = tempRoot();
    roots.push(root);
    expectOk(oci(root, ["spec", "--bundle", dir]), "");
    const text = readFileSync(join(dir, "config.json"), "utf8");
    const spec = JSON.parse(text);
    expect(spec.ociVersion).toMatch(/^1\.\d+\.\d+/);
    expect(Array.isArray(spec.process.args)).toBe(true);
    expect(spec.root.path).toBe("rootfs");
    expect(spec.linux.namespaces.map((n: { type: string }) => n.type)).toContain("pid");

    const again = oci(root, ["spec", "--bundle", dir]);
    expect(again.stdout).toBe("");
    expectError(again, join(dir, "config.json"), "already exists");
    expect(readFileSync(join(dir, "config.json"), "utf8")).toBe(text);
  });

  test("defaults to the current directory", () => {
    const dir = join(cli.work, "spec-cwd");
    mkdirSync(dir, { recursive: true });
    const root = tempRoot();
    roots.push(root);
    const res = husk(["oci", "--root", root, "spec"], { cwd: dir });
    expectOk(res, "");
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).process).toBeDefined();
  });
});

describe.skipIf(skip)("create, start, state", () => {
  test("create writes --pid-file and leaves the container 'created'; start runs it", () => {
    const b = box("create-start", 'echo started > /tmp/marker; echo ready > /tmp/ready; exec sleep 1000');
    const ready = b.fifo("ready");
    const pidFile = join(b.out, "..", "init.pid");

    const created = runDetached(b.root, ["create", "--bundle", b.bundle, "--pid-file", pidFile, b.id]);
    expectOk(created, "");
    const pidText = readFileSync(pidFile, "utf8");
    expect(pidText).toMatch(/^\d+$/);
    const pid = Number(pidText);
    expect(alive(pid)).toBe(true);

    const s1 = state(b.root, b.id);
    expect(s1).toMatchObject({ ociVersion: "1.0.2", id: b.id, pid, status: "created", bundle: b.bundle });
    expect(Object.keys(s1)).toEqual(expect.arrayContaining(["ociVersion", "id", "pid", "status", "bundle"]));
    expect(Number.isNaN(Date.parse(s1.created))).toBe(false);
    // The user process has not run yet.
    expect(existsSync(join(b.out, "marker"))).toBe(false);
    // Its cgroups exist, in every hierarchy.
    expect(cgroupDirsExisting(b.name)).toEqual(testCgroupDirs(b.name));
    // And init sits in them.
    const procs = readFileSync(cgroupKnob(b.name, "pids", "cgroup.procs", "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
    expect(procs).toContain(pid);

    expectOk(oci(b.root, ["start", b.id]), "");
    expect(readFifo(ready)).toBe("ready\n");
    expect(readFileSync(join(b.out, "marker"), "utf8")).toBe("started\n");
    const s2 = state(b.root, b.id);
    expect(s2).toMatchObject({ id: b.id, pid, status: "running", bundle: b.bundle });
    // The script wrote "ready" just before `exec sleep`: give the exec a moment under load.
    const deadline = Date.now() + 5000;
    while (readFileSync(`/proc/${pid}/cmdline`, "utf8") !== "sleep\x001000\x00" && Date.now() < deadline) Bun.sleepSync(10);
    expect(readFileSync(`/proc/${pid}/cmdline`, "utf8")).toBe("sleep\x001000\x00");

    forceDelete(b, [pid]);
  });

  test("state of a stopped container: status stopped, pid 0", () => {
    const b = box("state-stopped", "exit 0");
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
    const pid = state(b.root, b.id).pid;
    expectOk(oci(b.root, ["start", b.id]), "");
    const s = waitStatus(b.root, b.id, "stopped");
    expect(s).toMatchObject({ id: b.id, status: "stopped", pid: 0, bundle: b.bundle });
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectGone(b, [pid]);
  });
});

describe.skipIf(skip)("list and ps", () => {
  test("list: table, --format json, --quiet", () => {
    const b = box("list", "exec sleep 1000");
    const second = "list-2";
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, second]), "");
    const pid1 = state(b.root, b.id).pid;
    const pid2 = state(b.root, second).pid;

    const table = oci(b.root, ["list"]);
    expectOk(table);
    const lines = table.stdout.split("\n");
    expect(lines.pop()).toBe(""); // ends with a newline
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split(/\s+/)).toEqual(["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]);
    const row = lines[1]!.split(/\s+/);
    expect(row.slice(0, 4)).toEqual([b.id, String(pid1), "created", b.bundle]);
    expect(Number.isNaN(Date.parse(row[4]!))).toBe(false);
    expect(row[5]).toBe("root");
    expect(lines[2]!.split(/\s+/).slice(0, 3)).toEqual([second, String(pid2), "created"]);
    // Columns are aligned: every field of a row starts where its header starts.
    expect(lines[1]!.indexOf(String(pid1))).toBe(lines[0]!.indexOf("PID"));

    const json = oci(b.root, ["list", "--format", "json"]);
    expectOk(json);
    expect(json.stdout.endsWith("\n")).toBe(true);
    const parsed = JSON.parse(json.stdout) as StateJson[];
    expect(parsed.map((s) => [s.id, s.pid, s.status, s.bundle])).toEqual([
      [b.id, pid1, "created", b.bundle],
      [second, pid2, "created", b.bundle],
    ]);

    expectOk(oci(b.root, ["list", "--quiet"]), `${b.id}\n${second}\n`);
    expectOk(oci(b.root, ["list", "-q"]), `${b.id}\n${second}\n`);

    expectOk(oci(b.root, ["delete", b.id]), "");
    expectOk(oci(b.root, ["delete", second]), "");
    expectOk(oci(b.root, ["list", "--quiet"]), "");
    expectOk(oci(b.root, ["list", "--format", "json"]), "[]\n");
    expectGone(b, [pid1, pid2]);
  });

  test("ps --format json lists the init pid; the table shows its command", () => {
    const { b, pid } = startBox("ps");
    const json = oci(b.root, ["ps", "--format", "json", b.id]);
    expectOk(json);
    expect(JSON.parse(json.stdout)).toEqual([pid]);

    const table = oci(b.root, ["ps", b.id]);
    expectOk(table);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]!.split(/\s+/)).toEqual(["PID", "CMD"]);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/))).toEqual([[String(pid), "sleep", "1000"]]);
    forceDelete(b, [pid]);
  });
});

describe.skipIf(skip)("exec", () => {
  let b: Box;
  let pid = 0;
  beforeAll(() => {
    ({ b, pid } = startBox("exec"));
  });
  afterAll(() => {
    forceDelete(b, [pid]);
  });

  test("args form: stdout, stderr and the exit code propagate", () => {
    const res = oci(b.root, ["exec", b.id, "sh", "-c", "echo hello; echo oops >&2; exit 3"]);
    expect(res).toEqual({ exitCode: 3, signalCode: null, stdout: "hello\n", stderr: "oops\n" });
    expectOk(oci(b.root, ["exec", b.id, "true"]), "");
  });

  test("runs inside the container (same pid namespace and hostname)", () => {
    const res = oci(b.root, ["exec", b.id, "sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '"]);
    expectOk(res, "husk-test\nsleep 1000 ");
  });

  test("-p process.json", () => {
    const p = join(b.out, "..", "process.json");
    writeFileSync(
      p,
      JSON.stringify({
        terminal: false,
        user: { uid: 0, gid: 0 },
        args: ["sh", "-c", 'echo "from-p $A $(pwd)"; exit 5'],
        env: ["PATH=/bin", "A=1"],
        cwd: "/etc",
      }),
    );
    const res = oci(b.root, ["exec", "-p", p, b.id]);
    expect(res).toEqual({ exitCode: 5, signalCode: null, stdout: "from-p 1 /etc\n", stderr: "" });
  });

  test("--env and --cwd", () => {
    const res = oci(b.root, ["exec", "--env", "FOO=bar", "-e", "BAZ=qux", "--cwd", "/dev", b.id, "sh", "-c", 'echo "$FOO $BAZ $(pwd)"']);
    expectOk(res, "bar qux /dev\n");
  });

  test("--user 1000:1000", () => {
    expectOk(oci(b.root, ["exec", "--user", "1000:1000", b.id, "id", "-u"]), "1000\n");
    expectOk(oci(b.root, ["exec", "--user", "1000:1000", b.id, "id", "-g"]), "1000\n");
    expectOk(oci(b.root, ["exec", b.id, "id", "-u"]), "0\n");
  });

  test("--detach with --pid-file", () => {
    const pidFile = join(b.out, "..", "exec.pid");
    const res = runDetached(b.root, ["exec", "--detach", "--pid-file", pidFile, b.id, "sleep", "999"]);
    expectOk(res, "");
    const text = readFileSync(pidFile, "utf8");
    expect(text).toMatch(/^\d+$/);
    const epid = Number(text);
    expect(alive(epid)).toBe(true);
    expect(readFileSync(`/proc/${epid}/cmdline`, "utf8")).toBe("sleep\x00999\x00");
    const ps = oci(b.root, ["ps", "--format", "json", b.id]);
    expectOk(ps);
    expect(JSON.parse(ps.stdout)).toEqual([pid, epid].sort((x, y) => x - y));
    // Stop it again so that the other tests see only init.
    runSync(["kill", "-9", String(epid)]);
    waitGone(epid);
  });
});

describe.skipIf(skip)("kill", () => {
  test("by name TERM reaches a handler in init", () => {
    const { b, pid } = startBox("kill-term", {}, "trap 'echo got-term > /tmp/term; exit 0' TERM; sleep 1000 & wait");
    expectOk(oci(b.root, ["kill", b.id, "TERM"]), "");
    waitStatus(b.root, b.id, "stopped");
    expect(readFileSync(join(b.out, "term"), "utf8")).toBe("got-term\n");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectGone(b, [pid]);
  });

  test("default signal is TERM", () => {
    const { b, pid } = startBox("kill-default", {}, "trap 'echo got-term > /tmp/term; exit 0' TERM; sleep 1000 & wait");
    expectOk(oci(b.root, ["kill", b.id]), "");
    waitStatus(b.root, b.id, "stopped");
    expect(readFileSync(join(b.out, "term"), "utf8")).toBe("got-term\n");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectGone(b, [pid]);
  });

  test("by SIGKILL", () => {
    const { b, pid } = startBox("kill-sigkill");
    expectOk(oci(b.root, ["kill", b.id, "SIGKILL"]), "");
    waitStatus(b.root, b.id, "stopped");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectGone(b, [pid]);
  });

  test("by number 9", () => {
    const { b, pid } = startBox("kill-9");
    expectOk(oci(b.root, ["kill", b.id, "9"]), "");
    waitStatus(b.root, b.id, "stopped");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectGone(b, [pid]);
  });

  test("--all signals every process in the container", () => {
    // No pid namespace: killing init alone would leave the exec'd process running.
    const { b, pid } = startBox("kill-all", { namespaces: ["ipc", "uts", "mount", "network"] });
    const pidFile = join(b.out, "..", "extra.pid");
    expectOk(runDetached(b.root, ["exec", "--detach", "--pid-file", pidFile, b.id, "sleep", "998"]), "");
    const extra = Number(readFileSync(pidFile, "utf8"));
    expect(alive(extra)).toBe(true);
    expectOk(oci(b.root, ["kill", "--all", b.id, "KILL"]), "");
    waitGone(extra);
    waitStatus(b.root, b.id, "stopped");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectGone(b, [pid, extra]);
  });
});

describe.skipIf(skip)("pause, resume, events, update", () => {
  test("pause then resume", () => {
    const { b, pid } = startBox("pause");
    expectOk(oci(b.root, ["pause", b.id]), "");
    expect(state(b.root, b.id).status).toBe("paused");
    const freezer = ownHierarchies().find((h) => h.name === "freezer");
    if (freezer) expect(readFileSync(join(freezer.ownDir, b.cg, "freezer.state"), "utf8").trim()).toBe("FROZEN");
    // A paused container takes no new processes.
    expectError(oci(b.root, ["exec", b.id, "true"]), `cannot exec in container "${b.id}": it is paused`);
    expectOk(oci(b.root, ["resume", b.id]), "");
    expect(state(b.root, b.id).status).toBe("running");
    if (freezer) expect(readFileSync(join(freezer.ownDir, b.cg, "freezer.state"), "utf8").trim()).toBe("THAWED");
    // A resumed container runs: exec works again.
    expectOk(oci(b.root, ["exec", b.id, "echo", "alive"]), "alive\n");
    forceDelete(b, [pid]);
  });

  test("delete --force of a paused container", () => {
    const { b, pid } = startBox("pause-delete");
    expectOk(oci(b.root, ["pause", b.id]), "");
    expect(state(b.root, b.id).status).toBe("paused");
    forceDelete(b, [pid]);
  });

  test("events --stats prints one stats line", () => {
    const { b, pid } = startBox("events");
    const res = oci(b.root, ["events", "--stats", b.id]);
    expectOk(res);
    const lines = res.stdout.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("");
    const ev = JSON.parse(lines[0]!);
    expect(ev.type).toBe("stats");
    expect(ev.id).toBe(b.id);
    expect(ev.data.pids.current).toBe(1);
    expect(ev.data.memory.usage.usage).toBeGreaterThan(0);
    expect(ev.data.cpu.usage.total).toBeGreaterThan(0);
    forceDelete(b, [pid]);
  });

  test("update --pids-limit and --memory land in the container's cgroups", () => {
    const { b, pid } = startBox("update");
    expectOk(oci(b.root, ["update", "--pids-limit", "42", "--memory", "64m", b.id]), "");
    expect(readFileSync(cgroupKnob(b.name, "pids", "pids.max", "pids.max"), "utf8").trim()).toBe("42");
    expect(readFileSync(cgroupKnob(b.name, "memory", "memory.limit_in_bytes", "memory.max"), "utf8").trim()).toBe(String(64 * 1024 * 1024));
    // The container feels the pids limit: 42 processes max in its cgroup.
    // (The sleeps must not hold exec's stdout, or exec would wait for them.)
    const loop = "i=0; while [ $i -lt 60 ]; do sleep 100 >/dev/null 2>&1 & i=$((i+1)); done; echo spawned $i";
    const res = oci(b.root, ["exec", b.id, "sh", "-c", loop]);
    expect(res).toEqual({ exitCode: 2, signalCode: null, stdout: "", stderr: "sh: can't fork: Resource temporarily unavailable\n" });
    const ev = JSON.parse(oci(b.root, ["events", "--stats", b.id]).stdout);
    expect(ev.data.pids.limit).toBe(42);
    expect(ev.data.pids.current).toBe(41); // init and 40 sleeps (the shell gave up and exited)
    forceDelete(b, [pid]);
  });

  test("update --resources from stdin", () => {
    const { b, pid } = startBox("update-stdin");
    const res = oci(b.root, ["update", "--resources", "-", b.id], { stdin: JSON.stringify({ pids: { limit: 17 } }) });
    expectOk(res, "");
    expect(readFileSync(cgroupKnob(b.name, "pids", "pids.max", "pids.max"), "utf8").trim()).toBe("17");
    forceDelete(b, [pid]);
  });
});

describe.skipIf(skip)("delete", () => {
  test("removes the state dir and the cgroup dirs of a stopped container", () => {
    const b = box("delete", "exit 0");
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
    const pid = state(b.root, b.id).pid;
    expect(existsSync(b.stateDir)).toBe(true);
    expect(cgroupDirsExisting(b.name).length).toBeGreaterThan(0);
    expectOk(oci(b.root, ["start", b.id]), "");
    waitStatus(b.root, b.id, "stopped");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectGone(b, [pid]);
    expectOk(oci(b.root, ["list", "-q"]), "");
  });

  test("a created (never started) container", () => {
    const b = box("delete-created", "echo ran > /tmp/ran");
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
    const pid = state(b.root, b.id).pid;
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectGone(b, [pid]);
    expect(existsSync(join(b.out, "ran"))).toBe(false);
  });

  test("--force of a running one", () => {
    const { b, pid } = startBox("delete-force");
    forceDelete(b, [pid]);
  });

  test("--force of a nonexistent id succeeds (runc semantics)", () => {
    const root = tempRoot();
    roots.push(root);
    expectOk(oci(root, ["delete", "--force", "nope"]), "");
  });
});

describe.skipIf(skip)("run", () => {
  test("foreground: stdio and exit status 7", () => {
    const b = box("run-exit", "echo out; echo err >&2; exit 7");
    const res = oci(b.root, ["run", "--bundle", b.bundle, b.id]);
    expect(res).toEqual({ exitCode: 7, signalCode: null, stdout: "out\n", stderr: "err\n" });
    expectGone(b);
  });

  test("foreground: exit 0", () => {
    const b = box("run-ok", "echo hi");
    expectOk(oci(b.root, ["run", "--bundle", b.bundle, b.id]), "hi\n");
    expectGone(b);
  });

  test("foreground: killed by a signal gives 128+sig", () => {
    // Without a pid namespace the shell is not an init, so it can kill itself.
    const b = box("run-signal", "kill -9 $$", { namespaces: ["ipc", "uts", "mount", "network"] });
    const res = oci(b.root, ["run", "--bundle", b.bundle, b.id]);
    expect(res).toEqual({ exitCode: 137, signalCode: null, stdout: "", stderr: "" });
    expectGone(b);
  });

  test("foreground: init killed from outside (kill KILL) gives 137", async () => {
    const b = box("run-killed", "echo ready > /tmp/ready; exec sleep 1000");
    const ready = b.fifo("ready");
    const proc = Bun.spawn([cli.bin, "oci", "--root", b.root, "run", "--bundle", b.bundle, b.id], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    try {
      expect(readFifo(ready)).toBe("ready\n");
      expect(state(b.root, b.id).status).toBe("running");
      expectOk(oci(b.root, ["kill", b.id, "KILL"]), "");
      const code = await proc.exited;
      expect({ code, stdout: await new Response(proc.stdout).text(), stderr: await new Response(proc.stderr).text() }).toEqual({
        code: 137,
        stdout: "",
        stderr: "",
      });
    } finally {
      proc.kill("SIGKILL");
    }
    expectGone(b);
  });

  test("--detach, then delete --force", () => {
    const b = box("run-detach", "echo ready > /tmp/ready; exec sleep 1000");
    const ready = b.fifo("ready");
    const pidFile = join(b.out, "..", "run.pid");
    expectOk(runDetached(b.root, ["run", "--detach", "--pid-file", pidFile, "--bundle", b.bundle, b.id]), "");
    expect(readFifo(ready)).toBe("ready\n");
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(state(b.root, b.id)).toMatchObject({ status: "running", pid });
    expect(alive(pid)).toBe(true);
    forceDelete(b, [pid]);
  });
});

describe.skipIf(skip)("features, argv[0] aliases, --log", () => {
  test("features prints valid JSON", () => {
    const root = tempRoot();
    roots.push(root);
    const res = oci(root, ["features"]);
    expectOk(res);
    const f = JSON.parse(res.stdout);
    expect(f.ociVersionMin).toMatch(/^1\.\d+\.\d+$/);
    expect(f.ociVersionMax).toMatch(/^1\.\d+\.\d+$/);
    expect(f.linux.namespaces).toEqual(expect.arrayContaining(["pid", "network", "mount", "ipc", "uts", "user", "cgroup"]));
    expect(f.hooks).toEqual(expect.arrayContaining(["prestart", "poststart", "poststop"]));
  });

  test("called as husk-oci and as runc (argv[0] symlinks)", () => {
    const aliasDir = join(cli.work, "alias-bin");
    mkdirSync(aliasDir, { recursive: true });
    symlinkSync(cli.bin, join(aliasDir, "husk-oci"));
    symlinkSync(cli.bin, join(aliasDir, "runc"));

    for (const alias of ["husk-oci", "runc"]) {
      const b = box(`alias-${alias}`, "echo hello");
      const exe = join(aliasDir, alias);
      const run = runSync([exe, "--root", b.root, "run", "--bundle", b.bundle, b.id]);
      expect(run).toEqual({ exitCode: 0, signalCode: null, stdout: "hello\n", stderr: "" });
      const list = runSync([exe, "--root", b.root, "list", "--quiet"]);
      expect(list).toEqual({ exitCode: 0, signalCode: null, stdout: "", stderr: "" });
      const st = runSync([exe, "--root", b.root, "state", "nope"]);
      expectError(st, 'container "nope" does not exist');
      const feat = runSync([exe, "features"]);
      expectOk(feat);
      expect(JSON.parse(feat.stdout).ociVersionMin).toBeDefined();
      expectGone(b);
    }
  });

  test("--log FILE --log-format json writes a JSON error line", () => {
    const root = tempRoot();
    roots.push(root);
    const log = join(cli.work, "husk-log.json");
    const res = oci(root, ["--log", log, "--log-format", "json", "state", "nope"]);
    expect(res.stdout).toBe("");
    expectError(res, 'container "nope" does not exist');
    const lines = readFileSync(log, "utf8").split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("");
    const entry = JSON.parse(lines[0]!);
    expect(entry.level).toBe("error");
    expect(entry.msg).toContain('container "nope" does not exist');
    // Same text as on stderr, minus the "husk: " prefix.
    expect(`husk: ${entry.msg}\n`).toBe(res.stderr);
    expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
  });

  test("--log FILE (text format) and global flags before the verb", () => {
    const root = tempRoot();
    roots.push(root);
    const log = join(cli.work, "husk-log.txt");
    const res = husk(["oci", "--log", log, "--root", root, "kill", "nope", "KILL"]);
    expectError(res, 'container "nope" does not exist');
    expect(readFileSync(log, "utf8")).toMatch(/^time="[^"]+" level=error msg="container \\"nope\\" does not exist"\n$/);
  });

  test("a successful command writes nothing to --log", () => {
    const root = tempRoot();
    roots.push(root);
    const log = join(cli.work, "husk-log-ok.json");
    expectOk(oci(root, ["--log", log, "--log-format", "json", "list", "-q"]), "");
    expect(existsSync(log) ? readFileSync(log, "utf8") : "").toBe("");
  });
});
