// Container records (names, ids, lookup) and the state shown to users, rebuilt from the
// monitor's status and /proc facts.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { liveState, type ProcCheck } from "../../src/engine/live-state.ts";
import type { MonitorStatus } from "../../src/engine/monitor-client.ts";
import { checkName, generateName, newContainerId } from "../../src/engine/names.ts";
import type { ContainerRecord } from "../../src/engine/record.ts";
import { RecordStore } from "../../src/engine/record-store.ts";
import { applyFilters, parseFilters, renderTemplate } from "../../src/engine/ps-view.ts";
import { HuskError } from "../../src/runtime/errors.ts";

const dir = mkdtempSync(`${tmpdir()}/husk-records-`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function draft(id: string, name: string, labels: Record<string, string> = {}): ContainerRecord {
  return {
    version: 1, id, name, image: "sha256:abc", imageRef: "docker.io/library/busybox:latest", created: new Date().toISOString(),
    config: { Image: "busybox", Labels: labels, Entrypoint: null, Cmd: ["true"] } as never,
    hostConfig: {} as never,
    snapshot: { driver: "overlay", lowerDirs: [], upperDir: "", workDir: "", mergedDir: "" },
  };
}

describe("ids and names", () => {
  test("ids are 64 lowercase hex; generated names are adjective_noun and avoid taken ones", () => {
    expect(newContainerId()).toMatch(/^[0-9a-f]{64}$/);
    const first = generateName(() => false, () => 0);
    expect(first).toMatch(/^[a-z]+_[a-z]+$/);
    const seq = [0, 0, 0.5, 0.5];
    let i = 0;
    const second = generateName((n) => n === first, () => seq[i++ % seq.length]!);
    expect(second).not.toBe(first);
    expect(second).toMatch(/^[a-z]+_[a-z]+\d*$/);
    expect(checkName("/web")).toBe("web");
    expect(() => checkName("-x")).toThrow(HuskError);
  });
});

describe("RecordStore", () => {
  const store = new RecordStore({ root: `${dir}/run`, dataRoot: `${dir}/data` });
  const a = "a1".padEnd(64, "0");
  const b = "a2".padEnd(64, "0");
  test("unique names, generated when absent", async () => {
    await store.create(draft(a, "web"));
    const err = await store.create(draft(b, "web")).catch((e) => e);
    expect(err).toBeInstanceOf(HuskError);
    expect((err as HuskError).message).toBe(`the container name "web" is already in use by container ${a.slice(0, 12)}`);
    expect((err as HuskError).exitCode).toBe(125);
    const gen = await store.create(draft(b, ""), generateName);
    expect(gen.name).toMatch(/^[a-z]+_[a-z]+\d*$/);
  });
  test("lookup: full id, name, unique prefix; ambiguity and absence are errors", () => {
    expect(store.find(a).name).toBe("web");
    expect(store.find("web").id).toBe(a);
    expect(store.find("a1").id).toBe(a);
    expect(() => store.find("a")).toThrow(/id prefix "a" is ambiguous \(2 containers\)/);
    expect(() => store.find("zzz")).toThrow(/no such container: zzz/);
  });
  test("rename keeps names unique", async () => {
    const other = store.find(b).name;
    await expect(store.rename(a, other)).rejects.toThrow(/already in use/);
    expect((await store.rename(a, "web2")).name).toBe("web2");
    expect(store.find("web2").id).toBe(a);
    store.remove(a);
    expect(() => store.find("web2")).toThrow(/no such container/);
  });
});

describe("liveState", () => {
  const st = (over: Partial<MonitorStatus>): MonitorStatus => ({
    monitorPid: 10, monitorStartTime: 1, pid: 20, pidStartTime: 2, status: "running", exitCode: 0, signal: 0, oomKilled: false,
    startedAt: "2024-01-01T00:00:00.000000000Z", finishedAt: null, restartCount: 0, error: null, ...over,
  });
  const proc = (alive: number[], paused = false): ProcCheck => ({ alive: (pid) => alive.includes(pid), paused: () => paused });
  test("no status file: created", () => expect(liveState(undefined, proc([])).status).toBe("created"));
  test("running needs the pid with its start time", () => {
    expect(liveState(st({}), proc([10, 20]))).toMatchObject({ status: "running", running: true, pid: 20, monitored: true });
    expect(liveState(st({}), proc([10, 20], true)).status).toBe("paused");
  });
  test("a dead monitor with a live container still shows running", () => {
    expect(liveState(st({}), proc([20]))).toMatchObject({ status: "running", monitored: false });
  });
  test("a dead monitor and a dead container: exited, code unknown, said so", () => {
    expect(liveState(st({}), proc([]))).toMatchObject({ status: "exited", exitCode: 255, running: false });
    expect(liveState(st({}), proc([])).error).toMatch(/monitor exited without recording/);
  });
  test("between restarts, and after the end", () => {
    expect(liveState(st({ status: "restarting" }), proc([10])).status).toBe("restarting");
    expect(liveState(st({ status: "exited", exitCode: 3 }), proc([]))).toMatchObject({ status: "exited", exitCode: 3 });
  });
});

describe("ps filters and templates", () => {
  const rows = [
    { rec: draft("b".repeat(64), "one", { tier: "web" }), live: liveState(undefined, { alive: () => false, paused: () => false }) },
    { rec: draft("c".repeat(64), "two", { tier: "db" }), live: liveState(undefined, { alive: () => false, paused: () => false }) },
  ];
  test("same key OR, different keys AND", () => {
    expect(applyFilters(rows, parseFilters(["name=one", "name=two"])).length).toBe(2);
    expect(applyFilters(rows, parseFilters(["name=one", "label=tier=db"])).length).toBe(0);
    expect(applyFilters(rows, parseFilters(["label=tier=db"]))[0]!.rec.name).toBe("two");
    expect(() => parseFilters(["colour=red"])).toThrow(/invalid filter "colour=red"/);
  });
  test("templates", () => {
    expect(renderTemplate("{{.Names}}\\t{{json .State}}", { Names: "one", State: "created" })).toBe('one\t"created"');
    expect(() => renderTemplate("{{.Nope}}", { Names: "x" })).toThrow(/unknown field .Nope/);
  });
});
