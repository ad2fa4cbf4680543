// husk cp through dist/husk: both directions, tar streams, -a and -L, a stopped
// container, and hostile symlinks made inside the container or carried by an archive,
// none of which may read or write a host file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tarTree, endOfArchive } from "../../src/engine/cp/tar-out.ts";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { runSync } from "../helpers/husk.ts";
import { type EngineEnv, engineEnv, IMAGE } from "./support/engine.ts";

let env: EngineEnv;
let before: HostSnapshot;
let tmp: string;
let secret: string;
const husk = (args: string[], stdin?: string | Uint8Array) => env.husk(args, stdin === undefined ? {} : { stdin });
const sh = (script: string) => husk(["exec", "box", "sh", "-c", script]);

function oneLine(stderr: string, re: RegExp): void {
  expect(stderr).toMatch(/^husk: [^\n]*\n$/);
  expect(stderr).toMatch(re);
}

function tarOf(entries: [string, string, string?][]): Uint8Array {
  // [name, "file"|"link", content or target]: built with husk's own tar writer from a temp tree.
  const dir = mkdtempSync(`${tmp}/tarsrc-`);
  const chunks: Uint8Array[] = [];
  for (const [name, kind, body] of entries) {
    const p = `${dir}/${Math.random().toString(36).slice(2)}`;
    if (kind === "link") symlinkSync(body!, p);
    else writeFileSync(p, body ?? "");
    tarTree((b) => chunks.push(Uint8Array.from(b)), p, name, lstatSync(p));
  }
  chunks.push(endOfArchive());
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  before = snapshotHost();
  env = await engineEnv("engine-cp");
  tmp = mkdtempSync(`/var/tmp/husk-test-${process.pid}-cp-`);
  // A host file that hostile links in the container point at.
  secret = `${tmp}/secret`;
  writeFileSync(secret, "HOST SECRET\n");
  expect(husk(["run", "--cgroup-parent", env.cgroupParent, "-d", "--name", "box", IMAGE, "sleep", "1000"]).exitCode).toBe(0);
});

afterAll(() => {
  env.cleanup();
  rmSync(tmp, { recursive: true, force: true });
  removeTestCgroups("engine-cp");
  assertNoLeaks(before);
});

describe("husk cp", () => {
  test("out of and into a running container, files and directories, docker's landing rules", () => {
    expect(sh("mkdir -p /data/sub && echo one > /data/a && echo two > /data/sub/b && ln -s a /data/l && chown 7:8 /data/a").exitCode).toBe(0);
    expect(husk(["cp", "box:/data", `${tmp}/out`]).exitCode).toBe(0);
    expect(readFileSync(`${tmp}/out/a`, "utf8")).toBe("one\n");
    expect(readFileSync(`${tmp}/out/sub/b`, "utf8")).toBe("two\n");
    expect(readlinkSync(`${tmp}/out/l`)).toBe("a");
    expect(statSync(`${tmp}/out/a`).uid).toBe(0);
    // Into an existing dir: lands as DIR/basename; -a keeps the owners.
    expect(husk(["cp", "-a", "box:/data", `${tmp}/out`]).exitCode).toBe(0);
    expect(statSync(`${tmp}/out/data/a`)).toMatchObject({ uid: 7, gid: 8 });
    // "/." copies the contents.
    mkdirSync(`${tmp}/flat`);
    expect(husk(["cp", "box:/data/sub/.", `${tmp}/flat`]).exitCode).toBe(0);
    expect(readFileSync(`${tmp}/flat/b`, "utf8")).toBe("two\n");
    // Host to container, a file to a new name and a dir into a dir; owned by root without -a.
    writeFileSync(`${tmp}/in.txt`, "hello\n");
    expect(husk(["cp", `${tmp}/in.txt`, "box:/data/new.txt"]).exitCode).toBe(0);
    expect(husk(["cp", `${tmp}/flat`, "box:/data/"]).exitCode).toBe(0);
    expect(sh("cat /data/new.txt /data/flat/b; stat -c %u /data/new.txt").stdout).toBe("hello\ntwo\n0\n");
  });

  test("tar streams both ways", () => {
    const t = husk(["cp", "box:/data/sub", "-"]);
    expect(t.exitCode).toBe(0);
    writeFileSync(`${tmp}/sub.tar`, t.stdout, "latin1");
    const list = runSync(["tar", "-tvf", `${tmp}/sub.tar`]);
    expect(list.stdout).toMatch(/^drwx.* sub\/\n-rw.* sub\/b\n$/);
    const tarIn = tarOf([["dir1/f", "file", "via tar\n"]]);
    const r = husk(["cp", "-", "box:/data"], tarIn);
    expect(r).toMatchObject({ exitCode: 0, stderr: "" });
    expect(sh("cat /data/dir1/f").stdout).toBe("via tar\n");
  });

  test("hostile symlinks made in the container never reach host files", () => {
    const inside = `${secret}`.replace(/^\//, "");
    // The same path exists in the container with other content; links point at it, absolutely and with ../.. tricks.
    expect(sh(`mkdir -p /$(dirname ${inside}) && echo INSIDE > /${inside} && ln -s ${secret} /abs && ln -s ../../../../../../../..${secret} /rel && ln -s ${tmp} /dirlink && ln -s ${secret} /victim`).exitCode).toBe(0);
    for (const link of ["/abs", "/rel"]) {
      expect(husk(["cp", "-L", `box:${link}`, `${tmp}/got`]).exitCode).toBe(0);
      expect(readFileSync(`${tmp}/got`, "utf8")).toBe("INSIDE\n");
      rmSync(`${tmp}/got`);
    }
    // Without -L the link itself is copied.
    expect(husk(["cp", "box:/abs", `${tmp}/got`]).exitCode).toBe(0);
    expect(readlinkSync(`${tmp}/got`)).toBe(secret);
    rmSync(`${tmp}/got`);
    // Through a directory link: reads and writes stay in the container's tree.
    expect(husk(["cp", "box:/dirlink/secret", `${tmp}/got`]).exitCode).toBe(0);
    expect(readFileSync(`${tmp}/got`, "utf8")).toBe("INSIDE\n");
    writeFileSync(`${tmp}/payload`, "PWNED\n");
    expect(husk(["cp", `${tmp}/payload`, "box:/dirlink/secret"]).exitCode).toBe(0);
    expect(husk(["cp", `${tmp}/payload`, "box:/victim"]).exitCode).toBe(0);
    expect(readFileSync(secret, "utf8")).toBe("HOST SECRET\n");
    // A link as DEST is followed inside the root (docker's rule): its in-container target changes.
    expect(sh(`cat /${inside} /victim; test -L /victim && echo still-a-link`).stdout).toBe("PWNED\nPWNED\nstill-a-link\n");
  });

  test("hostile archives: .. is refused, a link then a path through it stays inside", () => {
    const before = readFileSync("/etc/hostname", "utf8");
    const esc = husk(["cp", "-", "box:/data"], tarOf([["../../../../escape", "file", "x"]]));
    expect(esc.exitCode).toBe(1);
    oneLine(esc.stderr, /refusing archive entry "..\/..\/..\/..\/escape": it leaves the destination through "\.\."/);
    const viaLink = husk(["cp", "-", "box:/data"], tarOf([["etclink", "link", "/etc"], ["etclink/hostname", "file", "from tar\n"]]));
    expect(viaLink.exitCode).toBe(0);
    expect(readFileSync("/etc/hostname", "utf8")).toBe(before);
    expect(sh("cat /etc/hostname").stdout).toBe("from tar\n");
    expect(existsSync("/escape")).toBe(false);
  });

  test("a stopped container, and the error cases", () => {
    expect(husk(["stop", "-t", "1", "box"]).exitCode).toBe(0);
    expect(husk(["cp", "box:/data/a", `${tmp}/stopped`]).exitCode).toBe(0);
    expect(readFileSync(`${tmp}/stopped`, "utf8")).toBe("one\n");
    expect(husk(["cp", `${tmp}/in.txt`, "box:/data/after-stop"]).exitCode).toBe(0);
    expect(husk(["start", "box"]).exitCode).toBe(0);
    expect(sh("cat /data/after-stop").stdout).toBe("hello\n");
    for (const [args, re] of [
      [["box:/nope", tmp], /could not find \/nope in container box: ENOENT/],
      [["nonesuch:/etc", tmp], /no such container: nonesuch/],
      [[`${tmp}/in.txt`, `${tmp}/x`], /one of SRC and DEST must be a container path/],
      [["box:/a", "box:/b"], /copying between containers is not supported/],
      [["box:/data", `${tmp}/in.txt`], /cannot copy a directory to a file/],
      [["box:/data/a", `${tmp}/no/such/dir/x`], /parent directory does not exist: ENOENT/],
    ] as [string[], RegExp][]) {
      const r = husk(["cp", ...args]);
      expect(r.exitCode).toBe(1);
      oneLine(r.stderr, re);
    }
    expect(husk(["rm", "-f", "box"]).exitCode).toBe(0);
  });
});
