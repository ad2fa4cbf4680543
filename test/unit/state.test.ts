import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isSameLiveProcess, readProcStat } from "../../src/state/proc-stat.ts";
import { writeFileAtomic } from "../../src/state/atomic-file.ts";
import { StateStore, validateId } from "../../src/state/store.ts";
import { STATE_VERSION, type ContainerState } from "../../src/state/container-state.ts";

const tmp = mkdtempSync("/tmp/husk-unit-state-");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake /proc/<pid>/stat: comm with spaces and parentheses, state, start time. */
function fakeProc(pid: number, comm: string, state: string, start: number): string {
  const root = join(tmp, "proc");
  mkdirSync(join(root, String(pid)), { recursive: true });
  const fields = [state, "1", ...Array(17).fill("0"), String(start), "0"];
  writeFileSync(join(root, String(pid), "stat"), `${pid} (${comm}) ${fields.join(" ")}\n`);
  return root;
}

describe("proc stat", () => {
  test("comm with spaces and parentheses does not shift the fields", () => {
    const root = fakeProc(42, "evil ) name (x", "S", 123456);
    expect(readProcStat(42, root)).toEqual({ state: "S", ppid: 1, startTime: 123456 });
  });
  test("a pid is trusted only with its start time, and zombies count as gone", () => {
    const root = fakeProc(43, "sleep", "S", 777);
    expect(isSameLiveProcess(43, 777, root)).toBe(true);
    expect(isSameLiveProcess(43, 778, root)).toBe(false); // reused pid
    fakeProc(44, "sleep", "Z", 777);
    expect(isSameLiveProcess(44, 777, root)).toBe(false);
    expect(isSameLiveProcess(45, 777, root)).toBe(false); // gone
    expect(isSameLiveProcess(0, 0, root)).toBe(false);
  });
  test("the real /proc: this process is itself", () => {
    const me = readProcStat(process.pid);
    expect(me?.state).toMatch(/^[RS]$/);
    expect(isSameLiveProcess(process.pid, me!.startTime)).toBe(true);
  });
});

describe("state store", () => {
  const state = (id: string): ContainerState => ({
    version: STATE_VERSION, id, pid: 1, pidStartTime: 2, bundle: "/b", rootfs: "/b/rootfs", created: "2026-01-01T00:00:00.000Z",
    owner: "", ociVersion: "1.2.1", annotations: { a: "b" }, cgroup: { dirs: ["/x"], created: [] }, spec: { ociVersion: "1.2.1" },
  });

  test("round trip through msgpack, list, remove (and no empty containers/ left)", () => {
    const store = new StateStore(join(tmp, "root1"));
    store.createDir("c1");
    store.write(state("c1"));
    expect(store.read("c1")).toEqual(state("c1"));
    expect(store.list()).toEqual(["c1"]);
    store.remove("c1");
    expect(store.list()).toEqual([]);
    expect(readdirSync(join(tmp, "root1"))).toEqual([]);
  });
  test("duplicate ids, missing ids and bad ids are refused with a clear message", () => {
    const store = new StateStore(join(tmp, "root2"));
    store.createDir("dup");
    expect(() => store.createDir("dup")).toThrow('container "dup" already exists');
    expect(() => store.read("nope")).toThrow('container "nope" does not exist');
    for (const bad of ["../x", "a/b", "", ".hidden", "x".repeat(1025)]) expect(() => validateId(bad)).toThrow("invalid container id");
    expect(() => store.dir("../../etc")).toThrow("invalid container id");
  });
  test("a state file from another format version is refused", () => {
    const store = new StateStore(join(tmp, "root3"));
    store.createDir("old");
    store.write({ ...state("old"), version: 99 });
    expect(() => store.read("old")).toThrow("state file version 99 is not supported");
  });
  test("atomic writes leave no temp file behind and replace the whole file", () => {
    const p = join(tmp, "atomic.bin");
    writeFileAtomic(p, new TextEncoder().encode("first, longer content"));
    writeFileAtomic(p, new TextEncoder().encode("second"));
    expect(readFileSync(p, "utf8")).toBe("second");
    expect(readdirSync(tmp).filter((f) => f.includes(".tmp"))).toEqual([]);
  });
});
