// husk top, stats, port and events through dist/husk, with a real detached container:
// what they print, their one-line errors with docker's exit codes, usage errors exiting
// 125 on the engine face (1 on the OCI face), and nothing left behind.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { huskBin, runSync } from "../helpers/husk.ts";
import { type EngineEnv, engineEnv, IMAGE } from "./support/engine.ts";

let env: EngineEnv;
let before: HostSnapshot;
const husk = (...args: string[]) => env.husk(args);
const cg = () => ["--cgroup-parent", env.cgroupParent];

function oneLine(stderr: string, re: RegExp): void {
  expect(stderr).toMatch(/^husk: [^\n]*\n$/);
  expect(stderr).toMatch(re);
}

beforeAll(async () => {
  before = snapshotHost();
  env = await engineEnv("engine-observe");
});

afterAll(() => {
  env.cleanup();
  removeTestCgroups("engine-observe");
  assertNoLeaks(before);
});

describe("top, stats, port", () => {
  test("top lists the container's processes with docker's columns, and with ps options", () => {
    const id = husk("run", ...cg(), "-d", "--name", "obs", IMAGE, "sh", "-c", "sleep 1000 & exec sleep 999").stdout.trim();
    const pid = JSON.parse(husk("inspect", id).stdout)[0].State.Pid;
    let top = husk("top", "obs");
    for (let i = 0; i < 50 && !top.stdout.includes("sleep 1000"); i++) top = husk("top", "obs");
    expect(top.exitCode).toBe(0);
    const lines = top.stdout.trimEnd().split("\n");
    expect(lines[0]!.split(/\s+/)).toEqual(["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]);
    expect(lines.length).toBe(3);
    const init = lines.find((l) => l.endsWith("sleep 999"))!.split(/\s+/);
    expect(init[0]).toBe("root");
    expect(Number(init[1])).toBe(pid);
    expect(init[6]).toMatch(/^\d\d:\d\d:\d\d$/);
    const child = lines.find((l) => l.endsWith("sleep 1000"))!.split(/\s+/);
    expect(Number(child[2])).toBe(pid);
    const custom = husk("top", "obs", "-o", "pid,comm");
    expect(custom.stdout.split("\n")[0]!.trim().split(/\s+/)).toEqual(["PID", "COMMAND"]);
    expect(custom.stdout).toContain(`${pid}   sleep`);
    expect(custom.stdout.trimEnd().split("\n").length).toBe(3);
    const noPid = husk("top", "obs", "-o", "comm");
    expect(noPid.exitCode).toBe(1);
    oneLine(noPid.stderr, /no PID column/);
  });

  test("stats --no-stream: json and table from the cgroup", () => {
    const js = husk("stats", "--no-stream", "--format", "json", "obs");
    expect(js.exitCode).toBe(0);
    const row = JSON.parse(js.stdout);
    expect(row.Name).toBe("obs");
    expect(row.PIDs).toBe("2");
    expect(row.CPUPerc).toMatch(/^\d+\.\d\d%$/);
    expect(row.MemUsage).toMatch(/^[\d.]+(B|KiB|MiB) \/ [\d.]+(MiB|GiB|TiB)$/);
    expect(row.MemPerc).toMatch(/^\d+\.\d\d%$/);
    // On the default bridge the kernel itself sends a few packets (IPv6 solicitations).
    expect(row.NetIO).toMatch(/^[\d.]+(B|kB|MB) \/ [\d.]+(B|kB|MB)$/);
    expect(row.BlockIO).toMatch(/^[\d.]+[kMG]?B \/ [\d.]+[kMG]?B$/);
    const table = husk("stats", "--no-stream");
    expect(table.stdout.split("\n")[0]).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    expect(table.stdout).toMatch(/\n[0-9a-f]{12}\s+obs\s+/);
    // A memory limit shows as the limit.
    husk("run", ...cg(), "-d", "--name", "small", "--memory", "64m", IMAGE, "sleep", "1000");
    expect(JSON.parse(husk("stats", "--no-stream", "--format", "json", "small").stdout).MemUsage).toMatch(/ \/ 64MiB$/);
    expect(husk("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "small").stdout).toBe("small 1\n");
    expect(husk("rm", "-f", "small").exitCode).toBe(0);
  });

  test("port: nothing published is empty; a missing one is one line, exit 1", () => {
    const all = husk("port", "obs");
    expect(all).toMatchObject({ exitCode: 0, stdout: "" });
    const one = husk("port", "obs", "80");
    expect(one.exitCode).toBe(1);
    oneLine(one.stderr, /no public port '80\/tcp' published for obs/);
    oneLine(husk("port", "obs", "80/xyz").stderr, /invalid port "80\/xyz"/);
  });

  test("errors: top and stats of unknown or stopped containers", () => {
    const unknown = husk("top", "nonesuch");
    expect(unknown.exitCode).toBe(1);
    oneLine(unknown.stderr, /no such container: nonesuch/);
    expect(husk("stop", "-t", "1", "obs").exitCode).toBe(0);
    const stopped = husk("top", "obs");
    expect(stopped.exitCode).toBe(1);
    oneLine(stopped.stderr, /container obs is not running/);
    expect(husk("stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.PIDs}}", "obs").stdout).toBe("obs 0.00% 0\n");
    expect(husk("stats", "--no-stream", "-a", "--format", "{{.Name}}").stdout).toBe("obs\n");
    expect(husk("stats", "--no-stream", "--format", "{{.Name}}").stdout).toBe("");
    expect(husk("rm", "obs").exitCode).toBe(0);
  });
});

describe("events", () => {
  test("the life of a detached container, with die written by its monitor", () => {
    const since = String(Date.now() / 1000);
    const id = husk("run", ...cg(), "-d", "--name", "ev", IMAGE, "sh", "-c", "exit 3").stdout.trim();
    expect(husk("wait", "ev").stdout).toBe("3\n");
    expect(husk("rename", "ev", "ev2").exitCode).toBe(0);
    expect(husk("rm", "ev2").exitCode).toBe(0);
    const until = String(Date.now() / 1000 + 0.2);
    const r = husk("events", "--since", since, "--until", until, "--filter", `container=${id}`, "--format", "{{.Action}} {{.Actor.Attributes.exitCode}}");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("create <no value>\nstart <no value>\ndie 3\nrename <no value>\ndestroy <no value>\n");
    const json = husk("events", "--since", since, "--until", until, "--filter", "event=die", "--format", "json");
    const ev = JSON.parse(json.stdout.trim());
    expect(ev).toMatchObject({ status: "die", id, Type: "container", Action: "die", Actor: { ID: id, Attributes: { name: "ev", image: IMAGE, exitCode: "3" } }, scope: "local" });
    const text = husk("events", "--since", since, "--until", until, "--filter", "event=die");
    expect(text.stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z container die ${id} \\(exitCode=3, image=${IMAGE.replace(/\//g, "\\/")}, name=ev\\)\\n$`));
  });

  test("restart policy: the monitor writes die and restart with no CLI around; streaming sees new events", async () => {
    const bin = huskBin();
    const stream = Bun.spawn([bin, "events", "--root", env.root, "--data-root", env.dataRoot, "--filter", "container=rp", "--format", "{{.Action}}"], { stdout: "pipe", stderr: "pipe" });
    await Bun.sleep(300);
    husk("run", ...cg(), "-d", "--name", "rp", "--restart", "on-failure:2", IMAGE, "sh", "-c", "exit 1");
    expect(husk("wait", "rp").stdout).toBe("1\n");
    const text = await (async () => {
      const reader = stream.stdout.getReader();
      let acc = "";
      while ((acc.match(/\n/g) ?? []).length < 9) {
        const { value, done } = await reader.read();
        if (done) break;
        acc += new TextDecoder().decode(value);
      }
      stream.kill("SIGINT");
      return acc;
    })();
    expect(await stream.exited).toBe(0);
    expect(text).toBe("create\nstart\ndie\nrestart\nstart\ndie\nrestart\nstart\ndie\n");
    expect(husk("rm", "rp").exitCode).toBe(0);
  });

  test("bad values: one line, 125", () => {
    // docker's daemon refuses these, so its CLI exits 1 (not a usage error).
    const r = husk("events", "--since", "yesterday-ish");
    expect(r.exitCode).toBe(1);
    oneLine(r.stderr, /invalid value "yesterday-ish" for --since/);
    const f = husk("events", "--filter", "colour=red", "--until", "0s");
    expect(f.exitCode).toBe(1);
    oneLine(f.stderr, /invalid filter "colour=red"/);
  });
});

describe("usage errors", () => {
  test("exit 125 on the engine face, 1 on the OCI face (runc's)", () => {
    const engine = husk("ps", "--bogus");
    expect(engine.exitCode).toBe(125);
    expect(engine.stderr).toMatch(/^husk: [^\n]*--bogus[^\n]*\n$/);
    expect(runSync([huskBin(), "stats", "--nope"]).exitCode).toBe(125);
    expect(runSync([huskBin(), "oci", "state", "--bogus", "x"]).exitCode).toBe(1);
  });
});
