// Pure parts of cp, events, stats, top and port, without root.
import { describe, expect, test } from "bun:test";
import { resolveInRoot, tarEntryParts, type InRootFs } from "../../src/engine/cp/in-root.ts";
import { eventLine, eventMatches, formatEvent, parseEventFilters, parseEventLine } from "../../src/engine/events-view.ts";
import { renderGoTemplate } from "../../src/engine/go-template.ts";
import { binarySize, cpuPercent, decimalSize, effectiveLimit, memoryWithoutCache, parseNetDev } from "../../src/engine/stats.ts";
import { cpuTime, filterPsOutput, ttyName } from "../../src/engine/top.ts";

/** A fake tree: path -> link target (links only; everything else exists as a plain entry). */
function fakeFs(links: Record<string, string>): InRootFs {
  return {
    lstat: (p) => ({ isSymbolicLink: () => p in links }),
    readlink: (p) => links[p]!,
  };
}

describe("resolveInRoot (RESOLVE_IN_ROOT semantics)", () => {
  const R = "/r";
  test("absolute and relative links stay under the root", () => {
    const fs = fakeFs({ "/r/abs": "/etc/shadow", "/r/rel": "../../../../etc/shadow", "/r/d": "/x/../../..", "/r/a/b": "../c" });
    expect(resolveInRoot(R, "/abs", true, fs)).toEqual(["etc", "shadow"]);
    expect(resolveInRoot(R, "/rel", true, fs)).toEqual(["etc", "shadow"]);
    expect(resolveInRoot(R, "/d/passwd", true, fs)).toEqual(["passwd"]);
    expect(resolveInRoot(R, "/../../a/b", true, fs)).toEqual(["c"]);
  });
  test("the final link is kept unless followed; loops end with ELOOP", () => {
    const fs = fakeFs({ "/r/l": "/t", "/r/x": "/y", "/r/y": "/x" });
    expect(resolveInRoot(R, "/l", false, fs)).toEqual(["l"]);
    expect(resolveInRoot(R, "/l", true, fs)).toEqual(["t"]);
    expect(() => resolveInRoot(R, "/x", true, fs)).toThrow(/too many levels of symbolic links.*ELOOP/);
  });
  test("tar entries may not climb out of the destination", () => {
    expect(tarEntryParts("./a/../b/c")).toEqual(["b", "c"]);
    expect(tarEntryParts("/abs/x")).toEqual(["abs", "x"]);
    expect(() => tarEntryParts("a/../../x")).toThrow(/leaves the destination/);
  });
});

describe("events view", () => {
  const ev = parseEventLine('{"timeNano":"1700000000123456789","type":"container","action":"die","id":"abcdef0123","attributes":{"name":"web","image":"busybox","exitCode":"3"}}')!;
  test("filters: one key OR-ed, keys AND-ed", () => {
    expect(eventMatches(ev, parseEventFilters(["event=die", "event=start", "container=web"]))).toBe(true);
    expect(eventMatches(ev, parseEventFilters(["event=start"]))).toBe(false);
    expect(eventMatches(ev, parseEventFilters(["container=abc", "image=busybox"]))).toBe(true);
    expect(() => parseEventFilters(["nope=1"])).toThrow(/invalid filter/);
    expect(parseEventLine('{"torn":')).toBeUndefined();
  });
  test("docker's shapes", () => {
    expect(eventLine(ev)).toBe("2023-11-14T22:13:20.123456789Z container die abcdef0123 (exitCode=3, image=busybox, name=web)");
    expect(JSON.parse(formatEvent(ev, "json"))).toMatchObject({ status: "die", from: "busybox", Actor: { ID: "abcdef0123" }, time: 1700000000 });
    expect(formatEvent(ev, "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.nope}}")).toBe("die web <no value>");
    expect(() => renderGoTemplate("{{.Nope}}", { A: 1 })).toThrow(/unknown field .Nope/);
  });
});

describe("stats, top, port helpers", () => {
  test("docker's units and figures", () => {
    expect(binarySize(0)).toBe("0B");
    expect(binarySize(1536 * 1024)).toBe("1.5MiB");
    expect(decimalSize(1234567)).toBe("1.235MB");
    expect(memoryWithoutCache(1000, { total_inactive_file: 300 })).toBe(700);
    expect(memoryWithoutCache(1000, { inactive_file: 300 })).toBe(700);
    expect(effectiveLimit(9223372036854771712, 8e9)).toBe(8e9);
    const s = { at: 1000, cpuNs: 0, memUsage: 0, memLimit: 0, netRx: 0, netTx: 0, blkRead: 0, blkWrite: 0, pids: 0 };
    expect(cpuPercent(s, { ...s, at: 2000, cpuNs: 500_000_000 })).toBe(50);
    expect(parseNetDev("h1\nh2\n    lo: 100 1 0 0 0 0 0 0 100 1\n  eth0: 10 1 0 0 0 0 0 0 20 2\n")).toEqual({ rx: 10, tx: 20 });
  });
  test("top: tty names, cpu time, ps output filtered to the container", () => {
    expect(ttyName(0)).toBe("?");
    expect(ttyName((136 << 8) | 3)).toBe("pts/3");
    expect(cpuTime(100 * 3725)).toBe("01:02:05");
    const { titles, rows } = filterPsOutput("  PID COMMAND\n    1 init\n   42 sleep 10\n", new Set([42]));
    expect(titles).toEqual(["PID", "COMMAND"]);
    expect(rows).toEqual([["42", "sleep 10"]]);
  });
});
