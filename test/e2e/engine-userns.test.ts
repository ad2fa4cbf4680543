// `husk run --userns auto` / `--uidmap` through the compiled binary: the container's root
// is root inside and a range of host ids outside; the image's files look root-owned
// (overlay over idmapped layers, nothing chowned); what it writes lands in the upper dir
// owned by the mapped host ids; two containers get disjoint ranges; rm frees a range.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { type EngineEnv, engineEnv, IMAGE } from "./support/engine.ts";

let env: EngineEnv;
let before: HostSnapshot;
let hostDir: string;
const husk = (...args: string[]) => env.husk(args);
const isRoot = process.getuid?.() === 0;

/** A foreground run that keeps its container (for looking at its upper dir after). */
function runKept(name: string, flags: string[], script: string): { stdout: string; upper: string } {
  const r = husk("run", "--name", name, "--cgroup-parent", env.cgroupParent, ...flags, IMAGE, "sh", "-c", script);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  const info = JSON.parse(husk("inspect", name).stdout)[0];
  return { stdout: r.stdout, upper: info.GraphDriver.Data.UpperDir };
}

function oneLineFailure(args: string[], text: string): void {
  const r = husk("run", "--rm", "--cgroup-parent", env.cgroupParent, ...args, IMAGE, "true");
  expect(r.exitCode).toBe(125);
  expect(r.stderr).toContain(text);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
}

beforeAll(async () => {
  if (!isRoot) return;
  before = snapshotHost();
  env = await engineEnv("engine-userns");
  hostDir = mkdtempSync("/var/tmp/husk-test-engine-userns-bind-");
  writeFileSync(join(hostDir, "root-owned"), "x");
  chownSync(join(hostDir, "root-owned"), 0, 0);
  chmodSync(hostDir, 0o755);
});

afterAll(() => {
  if (!isRoot) return;
  env.cleanup();
  rmSync(hostDir, { recursive: true, force: true });
  removeTestCgroups("engine-userns");
  assertNoLeaks(before);
});

describe.skipIf(!isRoot)("--userns", () => {
  test("a data root others cannot enter is named, and nothing is left", () => {
    // engineEnv's data root is a mkdtemp dir (0700).
    oneLineFailure(["--userns", "auto"], `${env.dataRoot} (mode 0700) does not let the container's root reach its files`);
    expect(husk("ps", "-aq").stdout).toBe("");
    chmodSync(env.dataRoot, 0o711);
  });

  test("auto: root inside, a fresh range outside, image files root-owned, writes owned by the range in the upper dir", () => {
    const a = runKept("ua", ["--userns", "auto"], "id -u; id -g; cat /proc/self/uid_map; stat -c %u:%g /bin/busybox /etc; touch /made-here; mkdir /dir-here");
    const [uid, gid, map, bin, etc] = a.stdout.trim().split("\n");
    expect([uid, gid]).toEqual(["0", "0"]);
    const [inside, outside, size] = map!.trim().split(/\s+/).map(Number);
    expect(inside).toBe(0);
    expect(outside).toBeGreaterThanOrEqual(100000);
    expect(size).toBe(65536);
    expect([bin, etc]).toEqual(["0:0", "0:0"]);
    for (const f of ["made-here", "dir-here"]) {
      const st = statSync(join(a.upper, f));
      expect([st.uid, st.gid]).toEqual([outside!, outside!]);
    }
    const info = JSON.parse(husk("inspect", "ua").stdout)[0];
    expect(info.HostConfig.UsernsMode).toBe("auto");
  });

  test("two auto containers get disjoint ranges; rm frees one for the next", () => {
    const start = (name: string) => Number(runKept(name, ["--userns", "auto:size=1000"], "cat /proc/self/uid_map").stdout.trim().split(/\s+/)[1]);
    const b = start("ub");
    const c = start("uc");
    expect(Math.abs(b - c)).toBeGreaterThanOrEqual(1000);
    expect(husk("rm", "ub").exitCode).toBe(0);
    const d = start("ud");
    expect(d).toBe(b);
    expect(husk("rm", "uc", "ud", "ua").exitCode).toBe(0);
  });

  test("--uidmap/--gidmap as given; a host bind is idmapped so host root's files are the container root's", () => {
    const out = runKept("um", ["--uidmap", "0:300000:65536", "--gidmap", "0:400000:65536", "-v", `${hostDir}:/h`], "cat /proc/self/uid_map /proc/self/gid_map; stat -c %u:%g /h/root-owned; touch /h/made-inside");
    const lines = out.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).map(Number));
    expect(lines[0]).toEqual([0, 300000, 65536]);
    expect(lines[1]).toEqual([0, 400000, 65536]);
    expect(out.stdout).toContain("0:0\n");
    const st = statSync(join(hostDir, "made-inside"));
    expect([st.uid, st.gid]).toEqual([0, 0]);
    expect(husk("rm", "um").exitCode).toBe(0);
  });

  test("the default network (a namespace the host's user namespace owns) is joined by a user-namespaced container", () => {
    const r = husk("run", "--rm", "--cgroup-parent", env.cgroupParent, "--userns", "auto", IMAGE, "sh", "-c", "id -u; cat /proc/net/dev");
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toStartWith("0\n");
    expect(r.stdout).toContain(" eth0:");
  });

  test("--rm with auto removes the container and frees its range", () => {
    const r = husk("run", "--rm", "--cgroup-parent", env.cgroupParent, "--userns", "auto", IMAGE, "sh", "-c", "id -u");
    expect(r.stdout).toBe("0\n");
    expect(r.exitCode).toBe(0);
    expect(husk("ps", "-aq").stdout).toBe("");
    const file = join(env.dataRoot, "userns", "ranges.msgpack");
    const { Unpackr } = require("msgpackr/unpack");
    expect(Object.keys(new Unpackr({ useRecords: false }).unpack(readFileSync(file)).containers)).toEqual([]);
  });

  test("bad values: one line, exit 125, no container left", () => {
    oneLineFailure(["--userns", "keep-id"], "keep-id is for rootless podman, and husk runs as root");
    oneLineFailure(["--userns", "sideways"], 'invalid value "sideways" for --userns');
    oneLineFailure(["--uidmap", "0:100000"], 'invalid value "0:100000" for --uidmap');
    expect(husk("ps", "-aq").stdout).toBe("");
  });
});
