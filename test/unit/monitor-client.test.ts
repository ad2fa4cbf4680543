import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeExit, encodeFrame, Frame, FRAME_MAX_PAYLOAD, FrameReader, resizeFrame, stdinFrames, stopFrame } from "../../src/engine/attach-frames.ts";
import { CriDecoder, formatLine, logFiles, normalizeTime, readLogs } from "../../src/engine/logs.ts";
import { startFailureCode } from "../../src/engine/monitor-client.ts";
import { PlanWriter } from "../../src/runtime/plan-encoder.ts";
import { oomCountersFor, parseRestartPolicy, writeMonitorSettings } from "../../src/runtime/plan-monitor.ts";
import { Tag } from "../../src/runtime/plan-tags.ts";

describe("attach frames", () => {
  test("u8 type, u32 big-endian length, payload", () => {
    expect([...encodeFrame(Frame.stdout, new Uint8Array([65, 66]))]).toEqual([1, 0, 0, 0, 2, 65, 66]);
    expect([...resizeFrame(33, 101)]).toEqual([3, 0, 0, 0, 4, 0, 33, 0, 101]);
    expect([...stopFrame(10)]).toEqual([6, 0, 0, 0, 4, 0, 0, 0, 10]);
  });
  test("stdin is split at the monitor's frame limit; empty input is the EOF frame", () => {
    const frames = stdinFrames(new Uint8Array(FRAME_MAX_PAYLOAD + 1));
    expect(frames.map((f) => f.length)).toEqual([5 + FRAME_MAX_PAYLOAD, 6]);
    expect([...stdinFrames(new Uint8Array(0))[0]!]).toEqual([0, 0, 0, 0, 0]);
  });
  test("the reader reassembles frames split anywhere", () => {
    const bytes = new Uint8Array([...encodeFrame(Frame.stdout, new Uint8Array([1, 2, 3])), ...encodeFrame(Frame.exit, new Uint8Array([0, 0, 0, 137, 0, 0, 0, 9, 1]))]);
    const r = new FrameReader();
    const got = [];
    for (const b of bytes) got.push(...r.push(new Uint8Array([b])));
    expect(got.map((f) => f.type)).toEqual([Frame.stdout, Frame.exit]);
    expect(decodeExit(got[1]!.payload)).toEqual({ exitCode: 137, signal: 9, oomKilled: true });
  });
  test("start failures map to docker's exit codes", () => {
    expect(startFailureCode("exec", "ENOENT")).toBe(127);
    expect(startFailureCode("exec", "EACCES")).toBe(126);
    expect(startFailureCode("exec", "ENOEXEC")).toBe(126);
    expect(startFailureCode("mounts", "ENOENT")).toBe(125);
  });
});

describe("CRI logs", () => {
  test("partial pieces are joined per stream", () => {
    const d = new CriDecoder();
    expect(d.line("2024-01-01T00:00:00.000000001Z stdout P abc")).toBeUndefined();
    expect(d.line("2024-01-01T00:00:00.000000002Z stderr F err")).toEqual({ time: "2024-01-01T00:00:00.000000002Z", stream: "stderr", text: "err" });
    expect(d.line("2024-01-01T00:00:00.000000003Z stdout F def")).toEqual({ time: "2024-01-01T00:00:00.000000001Z", stream: "stdout", text: "abcdef" });
    expect(d.line("garbage")).toBeUndefined();
    expect(d.line("2024-01-01T00:00:00.000000003Z stdout F ")?.text).toBe("");
  });
  test("times normalise to nine fraction digits", () => {
    expect(normalizeTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).toBe("2024-01-02T03:04:05.006000000Z");
    expect(normalizeTime("2024-01-02T03:04:05Z")).toBe("2024-01-02T03:04:05.000000000Z");
    expect(normalizeTime("2024-01-02T03:04:05.5Z")).toBe("2024-01-02T03:04:05.500000000Z");
    expect(() => normalizeTime("yesterday-ish")).toThrow("not a time");
  });
  test("rotated files are read oldest first; since and tail filter", () => {
    const dir = mkdtempSync(join(tmpdir(), "husk-logs-"));
    try {
      const path = join(dir, "container.log");
      const line = (s: number, t: string) => `2024-01-01T00:00:0${s}.000000000Z stdout F ${t}\n`;
      writeFileSync(`${path}.2`, line(1, "one"));
      writeFileSync(`${path}.1`, line(2, "two"));
      writeFileSync(path, line(3, "three") + line(4, "four"));
      writeFileSync(`${path}.tmp`, "not a generation");
      expect(logFiles(path)).toEqual([`${path}.2`, `${path}.1`, path]);
      expect(readLogs(path).map((l) => l.text)).toEqual(["one", "two", "three", "four"]);
      expect(readLogs(path, { tail: 2 }).map((l) => l.text)).toEqual(["three", "four"]);
      expect(readLogs(path, { since: "2024-01-01T00:00:02Z" }).map((l) => l.text)).toEqual(["two", "three", "four"]);
      expect(readLogs(path, { tail: 0 })).toEqual([]);
      expect(formatLine(readLogs(path)[0]!, true)).toBe("2024-01-01T00:00:01.000000000Z one\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("monitor plan settings", () => {
  test("restart policies as docker spells them", () => {
    expect(parseRestartPolicy("no")).toEqual({ name: "no", maxRetries: 0 });
    expect(parseRestartPolicy("on-failure:3")).toEqual({ name: "on-failure", maxRetries: 3 });
    expect(parseRestartPolicy("unless-stopped")).toEqual({ name: "unless-stopped", maxRetries: 0 });
    expect(() => parseRestartPolicy("always:2")).toThrow("only on-failure");
    expect(() => parseRestartPolicy("sometimes")).toThrow('invalid restart policy "sometimes"');
    expect(() => parseRestartPolicy("on-failure:x")).toThrow("whole number");
  });
  test("settings encode under the monitor tags", () => {
    const w = new PlanWriter();
    writeMonitorSettings(w, { statusFile: "/s", attachSocket: "/a", restart: { name: "on-failure", maxRetries: 2 }, cleanupArgv: ["/bin/husk", "rm"] });
    const b = w.finish();
    const tags: number[] = [];
    for (let off = 0; off < b.length; ) {
      const v = new DataView(b.buffer, off);
      tags.push(v.getUint16(0, true));
      off += 6 + v.getUint32(2, true);
    }
    expect(tags).toEqual([Tag.MON_STATUS_FILE, Tag.MON_ATTACH_SOCKET, Tag.MON_RESTART_POLICY, Tag.MON_RESTART_MAX, Tag.MON_CLEANUP]);
    expect(() => writeMonitorSettings(new PlanWriter(), { statusFile: "/s", attachSocket: "/a", cleanupArgv: ["husk"] })).toThrow("absolute");
  });
  test("OOM counters: memory.oom_control on a v1 memory hierarchy, memory.events on v2", () => {
    const host = {
      hierarchies: [
        { controllers: ["memory"], mountPoint: "/cg/memory", ownPath: "/", unified: false },
        { controllers: [], mountPoint: "/cg/unified", ownPath: "/", unified: true },
      ],
    };
    expect(oomCountersFor({ dirs: ["/cg/memory/x"], v2Dir: "/cg/unified/x" }, host)).toEqual([{ path: "/cg/memory/x/memory.oom_control", key: "oom_kill" }]);
    expect(oomCountersFor({ dirs: [], v2Dir: "/cg/unified/x" }, host)).toEqual([{ path: "/cg/unified/x/memory.events", key: "oom_kill" }]);
  });
});
