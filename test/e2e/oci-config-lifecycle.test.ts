// config.json features around the container's life, proven from the host and from
// inside: hooks (all six phases, their order and the state they get, timeouts and
// failures), process.terminal through --console-socket, and cgroup placement.

import { beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ownCgroupParent } from "../helpers/cgroup.ts";
import { huskBin, runSync, tempRoot } from "../helpers/husk.ts";
import { isRoot, OciSuite, TMP_TMPFS } from "./support/oci-run.ts";

const suite = new OciSuite("life");
const hasGcc = Bun.which("gcc") !== null;
let consoleHelper = "";

suite.useHooks();

beforeAll(() => {
  if (!isRoot) return;
  if (hasGcc) {
    consoleHelper = join(suite.work, "console-helper");
    const cc = runSync(["gcc", "-O1", "-Wall", "-o", consoleHelper, join(import.meta.dir, "support", "console-helper.c")]);
    if (cc.exitCode !== 0) throw new Error(`gcc console-helper.c failed: ${cc.stderr}`);
  }
});

const sh = (script: string) => ["sh", "-c", script];
const HOOK_ENV = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"];

/** Processes whose command line contains `needle` (for "the hook was killed" checks). */
function processesWith(needle: string): string[] {
  const out: string[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmd.includes(needle)) out.push(`${p}: ${cmd}`);
    } catch {
      // gone
    }
  }
  return out;
}

describe.skipIf(!isRoot)("hooks", () => {
  test("all six phases run in order, each with the state on stdin", () => {
    const dir = suite.dir("hooks");
    chmodSync(dir, 0o777);
    const script = join(dir, "hook.sh");
    // Works with the host's /bin/sh and with busybox inside the container.
    writeFileSync(script, '#!/bin/sh\nd=$(dirname "$0")\ncat > "$d/$1.json"\necho "$1" >> "$d/order.log"\n');
    chmodSync(script, 0o755);
    const hook = (phase: string, path = script) => [{ path, args: ["hook.sh", phase], env: HOOK_ENV }];
    const spec = suite.spec("hooks", { args: sh("echo main-ran") });
    spec.mounts.push(TMP_TMPFS, { destination: "/tmp/hooks", type: "bind", source: dir, options: ["rbind"] });
    spec.hooks = {
      prestart: hook("prestart"),
      createRuntime: hook("createRuntime"),
      createContainer: hook("createContainer"),
      // startContainer runs inside the container: its path resolves there.
      startContainer: hook("startContainer", "/tmp/hooks/hook.sh"),
      poststart: hook("poststart"),
      poststop: hook("poststop"),
    };
    const res = suite.run("hooks", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("main-ran\n");
    expect(res.exitCode).toBe(0);
    const order = readFileSync(join(dir, "order.log"), "utf8").trim().split("\n");
    expect(order).toEqual(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]);
    const wantStatus: Record<string, string> = {
      prestart: "creating",
      createRuntime: "creating",
      createContainer: "creating",
      startContainer: "created",
      poststart: "running",
      poststop: "stopped",
    };
    const pids = new Set<number>();
    for (const phase of order) {
      const state = JSON.parse(readFileSync(join(dir, `${phase}.json`), "utf8"));
      expect({ phase, id: state.id, status: state.status, bundle: state.bundle }).toEqual({
        phase,
        id: res.id,
        status: wantStatus[phase]!,
        bundle: res.bundle,
      });
      expect(typeof state.ociVersion).toBe("string");
      expect(typeof state.pid).toBe("number");
      if (phase !== "poststop") {
        expect(state.pid).toBeGreaterThan(0);
        pids.add(state.pid);
      }
    }
    // One container, one init pid, seen by every hook before it stopped.
    expect(pids.size).toBe(1);
  });

  test("a hook that outlives its timeout fails creation, and is killed", () => {
    const dur = `5.${String(process.pid % 1000).padStart(3, "0")}1`; // unique in the process list
    const spec = suite.spec("hook-timeout", { args: sh("echo should-not-run") });
    spec.hooks = { createRuntime: [{ path: "/bin/sleep", args: ["sleep", dur], timeout: 1 }] };
    const t0 = performance.now();
    const res = suite.run("hook-timeout", spec);
    const took = performance.now() - t0;
    expect(res.stdout).toBe("");
    expect(res.exitCode).not.toBe(0);
    expect(res.exitCode).not.toBeNull();
    expect(res.stderr).toMatch(/createRuntime/);
    expect(res.stderr).toMatch(/timed out|timeout/i);
    expect(took).toBeLessThan(4500);
    expect(processesWith(`sleep ${dur}`)).toEqual([]);
  });

  test("a failing prestart hook fails creation with a message naming it", () => {
    const dir = suite.dir("hook-fail");
    const script = join(dir, "fail.sh");
    writeFileSync(script, "#!/bin/sh\necho hook-says-no >&2\nexit 3\n");
    chmodSync(script, 0o755);
    const spec = suite.spec("hook-fail", { args: sh("echo should-not-run") });
    spec.hooks = { prestart: [{ path: script, env: HOOK_ENV }] };
    const res = suite.run("hook-fail", spec);
    expect(res.stdout).toBe("");
    expect(res.exitCode).not.toBe(0);
    expect(res.exitCode).not.toBeNull();
    expect(res.stderr).toContain("prestart");
    expect(res.stderr).toContain(script);
    expect(res.stderr).toContain("3");
  });
});

// The race: `run` used to start poststart without waiting for it, so a container that
// exits at once could reach delete (and poststop) while poststart was still going, and a
// detached `run` could return before poststart ran. These hooks wait for the wrong
// outcome to show itself (poststop's marker, the CLI's exit) instead of sleeping, so
// without the fix the order is wrong every time, not only under load.
describe.skipIf(!isRoot)("poststart vs the end of run", () => {
  // Give up waiting after this many 50 ms slices: the fixed runtime makes the hook wait it out.
  const SLICES = 40;

  test("poststart finishes before poststop even when the process exits at once", () => {
    const dir = suite.dir("hooks-race");
    const log = join(dir, "order.log");
    const poststart = join(dir, "poststart.sh");
    // Wait until init is gone (reaped) and then for poststop's line; only then log ours.
    writeFileSync(
      poststart,
      `#!/bin/sh
pid=$(sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p')
i=0; while [ -e "/proc/$pid" ] && [ $i -lt ${SLICES} ]; do sleep 0.05; i=$((i+1)); done
echo "init-gone=$([ -e "/proc/$pid" ] && echo no || echo yes)" > ${join(dir, "init.txt")}
i=0; while ! grep -q poststop ${log} 2>/dev/null && [ $i -lt ${SLICES} ]; do sleep 0.05; i=$((i+1)); done
echo poststart >> ${log}
`,
    );
    const poststop = join(dir, "poststop.sh");
    writeFileSync(poststop, `#!/bin/sh\necho poststop >> ${log}\n`);
    chmodSync(poststart, 0o755);
    chmodSync(poststop, 0o755);
    const spec = suite.spec("hooks-race", { args: ["true"] });
    spec.hooks = { poststart: [{ path: poststart, env: HOOK_ENV }], poststop: [{ path: poststop, env: HOOK_ENV }] };
    const res = suite.run("hooks-race", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    // The setup really raced: init had exited before poststart logged.
    expect(readFileSync(join(dir, "init.txt"), "utf8")).toBe("init-gone=yes\n");
    expect(readFileSync(log, "utf8")).toBe("poststart\npoststop\n");
  });

  test("run --detach returns only after poststart has finished", () => {
    const name = "hooks-detach";
    const dir = suite.dir(name);
    const marker = join(dir, "poststart.txt");
    const poststart = join(dir, "poststart.sh");
    // Our parent is husk-core, its parent the husk CLI: wait for the CLI to exit (it must
    // not), then say whether it was still there when this hook finished.
    writeFileSync(
      poststart,
      `#!/bin/sh
cli=$(cut -d' ' -f4 /proc/$PPID/stat)
i=0; while [ -e "/proc/$cli" ] && [ $i -lt ${SLICES} ]; do sleep 0.05; i=$((i+1)); done
echo "cli-alive=$([ -e "/proc/$cli" ] && echo yes || echo no)" > ${marker}
`,
    );
    chmodSync(poststart, 0o755);
    const spec = suite.spec(name, { args: ["sleep", "1000"] });
    spec.hooks = { poststart: [{ path: poststart, env: HOOK_ENV }] };
    const bundle = suite.bundle(name, spec);
    const id = suite.id(name);
    const root = tempRoot();
    try {
      // The container inherits husk's stdio and keeps it open: files, not pipes.
      const out = join(dir, "run.out");
      const err = join(dir, "run.err");
      const outFd = openSync(out, "w");
      const errFd = openSync(err, "w");
      let res;
      try {
        const argv = [huskBin(), "oci", "--root", root, "run", "--detach", "--bundle", bundle, id];
        res = Bun.spawnSync(argv, { stdin: "ignore", stdout: outFd, stderr: errFd, timeout: 30_000, killSignal: "SIGKILL" });
      } finally {
        closeSync(outFd);
        closeSync(errFd);
      }
      expect(readFileSync(err, "utf8")).toBe("");
      expect(res.exitCode).toBe(0);
      // Read at once: poststart must be done by the time run returned, the CLI still there.
      expect(existsSync(marker) ? readFileSync(marker, "utf8") : "no marker").toBe("cli-alive=yes\n");
      const del = runSync([huskBin(), "oci", "--root", root, "delete", "--force", id], { timeoutMs: 30_000 });
      expect(del.stderr).toBe("");
      expect(del.exitCode).toBe(0);
    } finally {
      suite.reap(name, id, root);
    }
  });
});

describe.skipIf(!isRoot)("process.terminal", () => {
  test.skipIf(!hasGcc)("--console-socket receives the pty master; the container has /dev/pts/0 as its terminal", () => {
    const spec = suite.spec("terminal", {
      args: sh('read line; echo "got:$line"; tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty'),
      terminal: true,
    });
    const sock = join(suite.work, "console.sock");
    const res = suite.run("terminal", spec, {
      runArgs: ["--console-socket", sock],
      wrap: (argv) => [consoleHelper, sock, "hello\n", "--", ...argv],
    });
    expect(res.stderr).toBe("helper: name=/dev/pts/0\n");
    expect(res.exitCode).toBe(0);
    const out = res.stdout.replace(/\r/g, "").split("\n");
    expect(out).toContain("got:hello");
    expect(out).toContain("/dev/pts/0");
    expect(out).toContain("all-tty");
  });

  test("in the foreground without --console-socket, husk relays the pty to its own stdio", () => {
    const spec = suite.spec("terminal-relay", { args: sh("tty; [ -t 1 ] && echo stdout-is-tty"), terminal: true });
    const res = suite.run("terminal-relay", spec);
    expect(res.exitCode).toBe(0);
    expect(res.stdout.replace(/\r/g, "")).toBe("/dev/pts/0\nstdout-is-tty\n");
  });

  test("detached without --console-socket fails with a clear error", () => {
    const spec = suite.spec("terminal-nosock", { args: sh("tty"), terminal: true });
    const res = suite.run("terminal-nosock", spec, { runArgs: ["--detach"] });
    expect(res.stdout).toBe("");
    expect(res.exitCode).not.toBe(0);
    expect(res.exitCode).not.toBeNull();
    expect(res.stderr).toMatch(/console-socket/);
  });
});

describe.skipIf(!isRoot)("cgroup placement", () => {
  test("the running container is in its cgroupsPath below the test's own cgroup, in every hierarchy", async () => {
    const name = "placement";
    const spec = suite.spec(name, { args: sh("echo ready; read x; echo bye") });
    const bundle = suite.bundle(name, spec);
    const id = suite.id(name);
    const root = tempRoot();
    const proc = Bun.spawn([huskBin(), "oci", "--root", root, "run", "--bundle", bundle, id], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    try {
      const reader = proc.stdout.getReader();
      let out = "";
      while (!out.includes("ready\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        out += new TextDecoder().decode(value);
      }
      expect(out).toBe("ready\n");
      const st = runSync([huskBin(), "oci", "--root", root, "state", id]);
      expect(st.exitCode).toBe(0);
      const state = JSON.parse(st.stdout);
      expect(state.status).toBe("running");
      const cg = ownCgroupParent(name);
      const inside = readFileSync(`/proc/${state.pid}/cgroup`, "utf8").trim().split("\n");
      const own = readFileSync("/proc/self/cgroup", "utf8").trim().split("\n");
      const want = own.map((line) => {
        const [hid, ctrl, path] = line.split(":");
        return `${hid}:${ctrl}:${path === "/" ? "" : path}/${cg}`;
      });
      expect(inside.sort()).toEqual(want.sort());
      proc.stdin.write("go\n");
      await proc.stdin.end();
      const { value } = await reader.read();
      out += value ? new TextDecoder().decode(value) : "";
      expect(await proc.exited).toBe(0);
      expect(out).toBe("ready\nbye\n");
      expect(await new Response(proc.stderr).text()).toBe("");
    } finally {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await proc.exited;
      suite.reap(name, id, root);
    }
    expect(existsSync(join(root))).toBe(false);
  });
});
