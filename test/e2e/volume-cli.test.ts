// The compiled binary: husk volume create/ls/inspect/rm/prune and their errors, and named,
// anonymous and tmpfs-option volumes used by `husk run` (copy-up from the image, two
// containers sharing one volume, removal refused while a container uses it).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { readMounts } from "../../src/storage/mountinfo.ts";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { huskBin, runSync } from "../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { type EngineEnv, engineEnv, IMAGE } from "./support/engine.ts";

const isRoot = process.getuid?.() === 0;
let env: EngineEnv;
let before: HostSnapshot;

beforeAll(async () => {
  if (!isRoot) return;
  before = snapshotHost();
  env = await engineEnv("volumes", { Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["/bin/sh"] });
});

afterAll(() => {
  if (!isRoot) return;
  const dataRoot = env.dataRoot;
  env.cleanup();
  removeTestCgroups("volumes");
  // The suite's data root is gone: no volume mount may be left under it.
  expect(readMounts().filter((m) => m.mountPoint.startsWith(dataRoot))).toEqual([]);
  assertNoLeaks(before);
});

const vol = (...args: string[]) => runSync([huskBin(), "volume", ...args, "--root", env.root, "--data-root", env.dataRoot], { timeoutMs: 30_000 });
const run = (...args: string[]) => env.husk(["run", "--cgroup-parent", env.cgroupParent, ...args]);

describe.skipIf(!isRoot)("husk volume", () => {
  test("create, ls with filters, inspect, rm, prune", () => {
    expect(vol("create", "--label", "tier=db", "v-one")).toMatchObject({ exitCode: 0, stdout: "v-one\n" });
    expect(vol("create", "v-one").exitCode).toBe(0); // the same again is fine
    expect(vol("create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=2m", "v-tmp").exitCode).toBe(0);
    const anon = vol("create").stdout.trim();
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    expect(vol("ls", "-q").stdout).toBe([anon, "v-one", "v-tmp", ""].join("\n"));
    expect(vol("ls").stdout).toBe(`DRIVER   VOLUME NAME\nlocal    ${anon}\nlocal    v-one\nlocal    v-tmp\n`);
    expect(vol("ls", "-q", "--filter", "label=tier=db").stdout).toBe("v-one\n");
    expect(vol("ls", "-q", "-f", "name=tmp").stdout).toBe("v-tmp\n");
    const info = JSON.parse(vol("inspect", "v-tmp").stdout);
    expect(info[0]).toMatchObject({ Name: "v-tmp", Driver: "local", Scope: "local", Options: { type: "tmpfs", device: "tmpfs", o: "size=2m" }, Mountpoint: `${env.dataRoot}/volumes/v-tmp/_data` });
    expect(vol("rm", "v-tmp")).toMatchObject({ exitCode: 0, stdout: "v-tmp\n" });
    expect(vol("prune", "-f")).toMatchObject({ exitCode: 0, stdout: "Deleted Volumes:\n" }); // named ones stay without -a
    expect(vol("prune", "-f", "-a").stdout).toBe(`Deleted Volumes:\n${anon}\nv-one\n`);
    expect(vol("ls", "-q").stdout).toBe("");
  });

  test("errors are one line with exit code 125", () => {
    const cases: [string[], RegExp][] = [
      [["create", "x"], /^husk: invalid volume name "x": a volume name has at least 2 characters\n$/],
      [["create", "-o", "colour=red", "badopt"], /^husk: volume plugin local: unknown option "colour" \(hint: the local driver takes type, device and o\)\n$/],
      [["create", "-o", "novalue", "v2"], /^husk: invalid value "novalue" for --opt: expected KEY=VALUE\n$/],
      [["create", "--driver", "nosuch", "v3"], /^husk: volume plugin nosuch: not found \(hint: .*\/run\/docker\/plugins\/NAME.sock.*\)\n$/],
      [["rm", "missing"], /^husk: volume missing not found \(hint: see 'husk volume ls'\)\n$/],
      [["ls", "-f", "colour=red"], /^husk: invalid filter "colour=red": unknown key "colour" \(hint: keys: name, driver, label, dangling\)\n$/],
      [["inspect", "missing"], /^husk: volume missing not found/],
    ];
    for (const [args, re] of cases) {
      const r = vol(...args);
      expect({ args, code: r.exitCode }).toEqual({ args, code: 125 });
      expect(r.stderr).toMatch(re);
    }
    expect(vol("rm", "-f", "missing")).toMatchObject({ exitCode: 0, stdout: "" });
  });
});

describe.skipIf(!isRoot)("volumes in husk run", () => {
  test("a named volume: created on first use, filled from the image, shared, kept, refused removal while used", () => {
    // /etc of the busybox image holds files: an empty new volume takes them (copy-up).
    const first = run("--name", "vol-a", "-v", "etcvol:/etc", IMAGE, "sh", "-c", "ls /etc | grep -c . ; echo mine > /etc/mine");
    expect(first.exitCode).toBe(0);
    expect(Number(first.stdout.trim())).toBeGreaterThan(0);
    expect(readFileSync(`${env.dataRoot}/volumes/etcvol/_data/mine`, "utf8")).toBe("mine\n");
    // A second container sees the first one's file; the volume is not refilled.
    expect(run("--rm", "-v", "etcvol:/etc:ro", IMAGE, "cat", "/etc/mine")).toMatchObject({ exitCode: 0, stdout: "mine\n" });
    const r = vol("rm", "etcvol");
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/^husk: volume etcvol is in use by 1 container\(s\): [0-9a-f]{12} \(hint: remove those containers first/);
    expect(env.husk(["rm", "vol-a"]).exitCode).toBe(0);
    expect(vol("rm", "etcvol")).toMatchObject({ exitCode: 0, stdout: "etcvol\n" });
  });

  test("nocopy, a tmpfs-option volume through --mount, and anonymous volumes removed by rm -v", () => {
    expect(run("--rm", "-v", "empty1:/etc:nocopy", IMAGE, "sh", "-c", "ls /etc | wc -l")).toMatchObject({ exitCode: 0, stdout: "0\n" });
    const tm = run("--rm", "--mount", 'type=volume,src=tvol,dst=/t,"volume-opt=type=tmpfs","volume-opt=device=tmpfs","volume-opt=o=size=1m"', IMAGE, "sh", "-c", "grep ' /t ' /proc/mounts | cut -d' ' -f3");
    expect(tm).toMatchObject({ exitCode: 0, stdout: "tmpfs\n" });
    // --rm released it: the tmpfs is gone from the host, the volume stays.
    expect(readMounts().some((m) => m.mountPoint === `${env.dataRoot}/volumes/tvol/_data`)).toBe(false);
    expect(vol("ls", "-q").stdout).toBe("empty1\ntvol\n");
    const c = run("-d", "--name", "anon-c", "-v", "/scratch", IMAGE, "true");
    expect(c.exitCode).toBe(0);
    expect(env.husk(["wait", "anon-c"]).exitCode).toBe(0);
    const anon = vol("ls", "-q").stdout.split("\n").find((n) => /^[0-9a-f]{64}$/.test(n));
    expect(anon).toBeDefined();
    expect(env.husk(["rm", "-v", "anon-c"]).exitCode).toBe(0);
    expect(existsSync(`${env.dataRoot}/volumes/${anon}`)).toBe(false);
    expect(vol("prune", "-f", "-a").stdout).toBe("Deleted Volumes:\nempty1\ntvol\n");
  });

  test("bad mount flags fail before anything is made", () => {
    const r = run("--rm", "-v", "/a:/b:ro,rw", IMAGE, "true");
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toBe('husk: invalid value "/a:/b:ro,rw" for --volume: ro and rw conflict\n');
    expect(env.husk(["ps", "-aq"]).stdout).toBe("");
  });
});
