// The OCI verbs of dist/husk when things go wrong: every failure is one line on stderr
// starting with "husk: ", exit status 1, and NOTHING is left behind: no state dir, no
// cgroup dir, no process, no mount. Each test has its own --root (tempRoot) and its own
// linux.cgroupsPath (ownCgroupParent), and checks the host right after the failure.

import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeBundle, ociSpec, type SpecOptions } from "../fixtures/busybox-rootfs.ts";
import { ownCgroupParent, testCgroupDirs } from "../helpers/cgroup.ts";
import { runSync, tempRoot } from "../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { safeReaddir, useOciCli } from "./support/oci-cli.ts";

setDefaultTimeout(60_000);

const cli = useOciCli("err", import.meta.file);
const { skip, roots, cgNames, oci, runDetached, expectOk, expectError, alive, readFifo } = cli;

function status(root: string, id: string): { status: string; pid: number } {
  const res = oci(root, ["state", id]);
  expectOk(res);
  return JSON.parse(res.stdout);
}

function waitStatus(root: string, id: string, want: string, timeoutMs = 15_000): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = status(root, id).status;
    if (s === want) return;
    if (Date.now() > deadline) throw new Error(`container ${id} still ${s} after ${timeoutMs} ms (wanted ${want})`);
    Bun.sleepSync(20);
  }
}

interface Box {
  name: string;
  id: string;
  root: string;
  dir: string;
  out: string;
  bundle: string;
  snap: HostSnapshot;
  stateDir: string;
  fifo(name: string): string;
}

type BoxOpts = Partial<SpecOptions> & { config?: (c: Record<string, any>) => void; script?: string };

/** A test's --root, cgroupsPath and bundle (host dir bind-mounted on the container's /tmp). */
function box(name: string, opts: BoxOpts = {}): Box {
  const dir = join(cli.work, name);
  const out = join(dir, "out");
  mkdirSync(out, { recursive: true });
  chmodSync(out, 0o777);
  const root = tempRoot();
  roots.push(root);
  cgNames.push(name);
  const { config: tweak, script, ...specOpts } = opts;
  const spec = ociSpec({
    args: ["sh", "-c", script ?? "echo ready > /tmp/ready; exec sleep 1000", join(dir, "tag")],
    cgroupsPath: ownCgroupParent(name),
    ...specOpts,
  }) as Record<string, any>;
  spec.mounts.push({ destination: "/tmp", type: "bind", source: out, options: ["rbind", "rw"] });
  tweak?.(spec);
  const bundle = makeBundle({ rootfs: cli.rootfs, dir: join(dir, "bundle"), config: spec });
  return {
    name,
    id: name,
    root,
    dir,
    out,
    bundle,
    snap: snapshotHost({ root, paths: [cli.work] }),
    stateDir: join(root, "containers", name),
    fifo(n: string) {
      const p = join(out, n);
      const r = runSync(["mkfifo", "-m", "0666", p]);
      if (r.exitCode !== 0) throw new Error(`mkfifo ${p}: ${r.stderr}`);
      return p;
    },
  };
}

/** Rewrite the bundle's config.json (after makeBundle filled root.path). */
function editConfig(b: Box, edit: (c: Record<string, any>) => void): void {
  const p = join(b.bundle, "config.json");
  const c = JSON.parse(readFileSync(p, "utf8"));
  edit(c);
  writeFileSync(p, JSON.stringify(c, null, 2) + "\n");
}

/** Nothing of the container is left: state dir, cgroups, processes, mounts, state files. */
function expectNothingLeft(b: Box, pids: number[] = []): void {
  expect(existsSync(b.stateDir)).toBe(false);
  expect(testCgroupDirs(b.name).filter((d) => existsSync(d))).toEqual([]);
  for (const pid of pids) expect(alive(pid)).toBe(false);
  assertNoLeaks(b.snap, { root: b.root, ignore: (e) => e === `state file: ${b.root}/containers/` });
}

/** create + start a container that reports ready through a fifo. */
function running(name: string, opts: BoxOpts = {}): { b: Box; pid: number } {
  const b = box(name, opts);
  const ready = b.fifo("ready");
  expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
  expectOk(oci(b.root, ["start", b.id]), "");
  expect(readFifo(ready)).toBe("ready\n");
  const s = status(b.root, b.id);
  expect(s.status).toBe("running");
  return { b, pid: s.pid };
}

function forceDelete(b: Box, pids: number[]): void {
  expectOk(oci(b.root, ["delete", "--force", b.id]), "");
  expectNothingLeft(b, pids);
}

// ---------------------------------------------------------------------------------------

describe.skipIf(skip)("bundle and config.json", () => {
  test("missing bundle dir", () => {
    const b = box("no-bundle-dir");
    const missing = join(b.dir, "does-not-exist");
    expectError(oci(b.root, ["create", "--bundle", missing, b.id]), missing, "ENOENT");
    expectError(oci(b.root, ["run", "--bundle", missing, b.id]), missing, "ENOENT");
    expectNothingLeft(b);
  });

  test("bundle without config.json", () => {
    const b = box("no-config");
    const empty = join(b.dir, "empty-bundle");
    mkdirSync(empty);
    expectError(oci(b.root, ["create", "--bundle", empty, b.id]), empty, "config.json", "ENOENT");
    expectNothingLeft(b);
  });

  test("malformed JSON: the message names line and column", () => {
    const b = box("bad-json");
    writeFileSync(join(b.bundle, "config.json"), '{\n  "ociVersion": "1.0.2",\n  "process": { "args": ["sh"] ,}\n}\n');
    expectError(oci(b.root, ["create", "--bundle", b.bundle, b.id]), "config.json", /line 3 column 32\b/);
    expectNothingLeft(b);
  });

  test("wrong type of a known field: process.args a string", () => {
    const b = box("args-string");
    editConfig(b, (c) => {
      c.process.args = "sh";
    });
    expectError(oci(b.root, ["create", "--bundle", b.bundle, b.id]), "process.args");
    expectNothingLeft(b);
  });

  test("wrong type of a known field: linux.namespaces an object", () => {
    const b = box("ns-object");
    editConfig(b, (c) => {
      c.linux.namespaces = { type: "pid" };
    });
    expectError(oci(b.root, ["create", "--bundle", b.bundle, b.id]), "linux.namespaces");
    expectNothingLeft(b);
  });

  test("ociVersion 2.0.0 is refused", () => {
    const b = box("oci-v2");
    editConfig(b, (c) => {
      c.ociVersion = "2.0.0";
    });
    expectError(oci(b.root, ["create", "--bundle", b.bundle, b.id]), "ociVersion", "2.0.0");
    expectNothingLeft(b);
  });

  test("relative rootfs that does not exist", () => {
    const b = box("no-rootfs");
    editConfig(b, (c) => {
      c.root.path = "rootfs";
    });
    expectError(oci(b.root, ["create", "--bundle", b.bundle, b.id]), "root.path", join(b.bundle, "rootfs"));
    expectNothingLeft(b);
  });

  test("unknown namespace type", () => {
    const b = box("bad-ns");
    editConfig(b, (c) => {
      c.linux.namespaces.push({ type: "bogus" });
    });
    expectError(oci(b.root, ["create", "--bundle", b.bundle, b.id]), "linux.namespaces[5].type", '"bogus"');
    expectNothingLeft(b);
  });
});

describe.skipIf(skip)("create and run failures", () => {
  test("duplicate id: the second create fails, the first container is unaffected", () => {
    const b = box("dup", { script: "echo started > /tmp/marker; echo ready > /tmp/ready; exec sleep 1000" });
    const ready = b.fifo("ready");
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
    const first = status(b.root, b.id);
    expect(first.status).toBe("created");
    const stateBefore = readFileSync(join(b.stateDir, "state.msgpack"));

    expectError(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), `container "${b.id}" already exists`);
    expectError(runDetached(b.root, ["run", "--bundle", b.bundle, b.id]), `container "${b.id}" already exists`);

    // Same state, same live init, and it still starts.
    expect(readFileSync(join(b.stateDir, "state.msgpack"))).toEqual(stateBefore);
    expect(existsSync(join(b.stateDir, "exec.fifo"))).toBe(true);
    expect(status(b.root, b.id)).toMatchObject({ status: "created", pid: first.pid });
    expect(alive(first.pid)).toBe(true);
    expect(existsSync(join(b.out, "marker"))).toBe(false);
    expectOk(oci(b.root, ["start", b.id]), "");
    expect(readFifo(ready)).toBe("ready\n");
    expect(readFileSync(join(b.out, "marker"), "utf8")).toBe("started\n");
    expect(status(b.root, b.id)).toMatchObject({ status: "running", pid: first.pid });
    expectOk(runDetached(b.root, ["list", "-q"]), `${b.id}\n`);
    forceDelete(b, [first.pid]);
  });

  test("process.args[0] missing from the rootfs: run fails with ENOENT and the path", () => {
    const b = box("enoent-run", { config: (c) => (c.process.args = ["/no/such/binary", "arg"]) });
    const res = oci(b.root, ["run", "--bundle", b.bundle, b.id]);
    expectError(res, "ENOENT", "/no/such/binary");
    expectNothingLeft(b);
  });

  test("process.args[0] not in PATH: run fails with ENOENT and the name", () => {
    const b = box("enoent-path", { config: (c) => (c.process.args = ["no-such-command"]) });
    const res = oci(b.root, ["run", "--bundle", b.bundle, b.id]);
    expectError(res, "ENOENT", "no-such-command");
    expectNothingLeft(b);
  });

  test("process.args[0] missing from the rootfs: create fails (like runc), nothing left", () => {
    const b = box("enoent-create", { config: (c) => (c.process.args = ["/no/such/binary"]) });
    const res = runDetached(b.root, ["create", "--bundle", b.bundle, b.id]);
    const pid = existsSync(b.stateDir) ? status(b.root, b.id).pid : 0;
    expectError(res, "ENOENT", "/no/such/binary");
    expectNothingLeft(b, pid ? [pid] : []);
  });

  test("a failing prestart hook: create fails, nothing left", () => {
    const b = box("hook-fails", { config: (c) => (c.hooks = { prestart: [{ path: "/bin/false" }] }) });
    const res = runDetached(b.root, ["create", "--bundle", b.bundle, b.id]);
    expectError(res, "prestart", "/bin/false");
    expectNothingLeft(b);
    expect(safeReaddir(b.out)).toEqual([]); // the user process never ran
  });

  test("a failing createRuntime hook during run: nothing left", () => {
    const b = box("hook-fails-run", { config: (c) => (c.hooks = { createRuntime: [{ path: "/bin/sh", args: ["sh", "-c", "exit 3"] }] }) });
    const res = oci(b.root, ["run", "--bundle", b.bundle, b.id]);
    expectError(res, "createRuntime", "status 3");
    expectNothingLeft(b);
  });

  test("--systemd-cgroup is refused with a clear message", () => {
    const b = box("systemd");
    const res = oci(b.root, ["--systemd-cgroup", "create", "--bundle", b.bundle, b.id]);
    expectError(res, "--systemd-cgroup", "not supported", "cgroupfs");
    expectNothingLeft(b);
  });

  test("invalid id like ../x: create and run refuse it", () => {
    const b = box("bad-id");
    for (const id of ["../x", "a/b", ".hidden", ""]) {
      expectError(oci(b.root, ["create", "--bundle", b.bundle, id]), `invalid container id "${id}"`);
      expectError(oci(b.root, ["run", "--bundle", b.bundle, id]), `invalid container id "${id}"`);
    }
    expect(existsSync(join(b.root, "x"))).toBe(false);
    expectNothingLeft(b);
  });

  test("invalid id like ../x: no verb touches what the path points at", () => {
    const b = box("bad-id-verbs");
    // <root>/containers/../x is <root>/x: a victim dir that must survive every verb, and
    // stay as it was (no lock file, no state).
    const victim = join(b.root, "x");
    const setUp = () => {
      mkdirSync(join(b.root, "containers"), { recursive: true });
      rmSync(victim, { recursive: true, force: true });
      mkdirSync(victim);
      writeFileSync(join(victim, "precious"), "keep\n");
    };
    try {
      const verbs = [["state"], ["delete"], ["delete", "--force"], ["kill"], ["start"], ["pause"], ["resume"], ["ps"], ["events", "--stats"], ["update", "--pids-limit", "10"]];
      // One comparison for all verbs, so that a failure lists every offending verb.
      const got = verbs.map((verb) => {
        setUp();
        const res = oci(b.root, [...verb, "../x"]);
        return { verb: verb.join(" "), exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr, victim: safeReaddir(victim) };
      });
      expect(got).toEqual(
        verbs.map((verb) => ({
          verb: verb.join(" "),
          exitCode: 1,
          stdout: "",
          stderr: expect.stringMatching(/^husk: invalid container id "\.\.\/x"[^\n]*\n$/),
          victim: ["precious"],
        })),
      );
    } finally {
      rmSync(victim, { recursive: true, force: true });
    }
    expectNothingLeft(b);
  });

  test("unsupported --log-format", () => {
    const b = box("log-format");
    expectError(oci(b.root, ["--log-format", "xml", "list"]), '--log-format "xml"');
    expectNothingLeft(b);
  });
});

describe.skipIf(skip)("verbs on the wrong status", () => {
  test("start on a running container", () => {
    const { b, pid } = running("start-running");
    expectError(oci(b.root, ["start", b.id]), `cannot start container "${b.id}"`, "running");
    expect(status(b.root, b.id)).toMatchObject({ status: "running", pid });
    forceDelete(b, [pid]);
  });

  test("start on a stopped container", () => {
    const b = box("start-stopped", { script: "exit 0" });
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
    const pid = status(b.root, b.id).pid;
    expectOk(oci(b.root, ["start", b.id]), "");
    waitStatus(b.root, b.id, "stopped");
    expectError(oci(b.root, ["start", b.id]), `cannot start container "${b.id}"`, "stopped");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectNothingLeft(b, [pid]);
  });

  test("delete of a running container without --force", () => {
    const { b, pid } = running("delete-running");
    expectError(oci(b.root, ["delete", b.id]), `cannot delete container "${b.id}"`, "running", "--force");
    expect(status(b.root, b.id)).toMatchObject({ status: "running", pid });
    expect(alive(pid)).toBe(true);
    forceDelete(b, [pid]);
  });

  test("unknown signal: the message names it, the container keeps running", () => {
    const { b, pid } = running("bad-signal");
    expectError(oci(b.root, ["kill", b.id, "SIGBOGUS"]), '"SIGBOGUS"');
    expectError(oci(b.root, ["kill", b.id, "65"]), '"65"');
    expect(status(b.root, b.id)).toMatchObject({ status: "running", pid });
    forceDelete(b, [pid]);
  });

  test("exec into a stopped container", () => {
    const b = box("exec-stopped", { script: "exit 0" });
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
    const pid = status(b.root, b.id).pid;
    expectOk(oci(b.root, ["start", b.id]), "");
    waitStatus(b.root, b.id, "stopped");
    expectError(oci(b.root, ["exec", b.id, "true"]), `cannot exec in container "${b.id}"`, "stopped");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectNothingLeft(b, [pid]);
  });

  test("exec of a missing binary in a running container", () => {
    const { b, pid } = running("exec-enoent");
    expectError(oci(b.root, ["exec", b.id, "/no/such/binary"]), "ENOENT", "/no/such/binary");
    // Nothing but init is left in the container.
    const ps = oci(b.root, ["ps", "--format", "json", b.id]);
    expectOk(ps);
    expect(JSON.parse(ps.stdout)).toEqual([pid]);
    forceDelete(b, [pid]);
  });

  test("kill of a stopped container", () => {
    const b = box("kill-stopped", { script: "exit 0" });
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
    const pid = status(b.root, b.id).pid;
    expectOk(oci(b.root, ["start", b.id]), "");
    waitStatus(b.root, b.id, "stopped");
    expectError(oci(b.root, ["kill", b.id, "KILL"]), `container "${b.id}"`, "not running");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectNothingLeft(b, [pid]);
  });

  test("pause of a created container and resume of a running one", () => {
    const b = box("pause-created");
    expectOk(runDetached(b.root, ["create", "--bundle", b.bundle, b.id]), "");
    const pid = status(b.root, b.id).pid;
    expectError(oci(b.root, ["pause", b.id]), `cannot pause container "${b.id}"`, "created");
    expectError(oci(b.root, ["resume", b.id]), `cannot resume container "${b.id}"`, "created");
    expect(status(b.root, b.id).status).toBe("created");
    expectOk(oci(b.root, ["delete", b.id]), "");
    expectNothingLeft(b, [pid]);
  });
});

describe.skipIf(skip)("nonexistent id", () => {
  const verbs: string[][] = [
    ["state"],
    ["delete"],
    ["kill"],
    ["kill", "--all"],
    ["start"],
    ["exec"],
    ["pause"],
    ["resume"],
    ["ps"],
    ["events", "--stats"],
    ["update", "--pids-limit", "10"],
  ];
  for (const verb of verbs) {
    test(`${verb.join(" ")} of a nonexistent id`, () => {
      const b = box(`nonexistent-${verb[0]}${verb.length > 1 ? "-" + verb.length : ""}`);
      // The id goes right after the verb's flags; exec's command after it.
      const args = verb[0] === "exec" ? ["exec", "nope", "true"] : [...verb, "nope"];
      const res = oci(b.root, args);
      expectError(res, 'container "nope" does not exist');
      expectNothingLeft(b);
    });
  }
});
