// --userns/--uidmap/--gidmap parsing, auto range allocation rules, and the idmapped
// overlay's husk-core argv: pure logic, no root.
import { describe, expect, test } from "bun:test";
import { HuskError } from "../../src/runtime/errors.ts";
import { idmapOverlayArgv, mappedId } from "../../src/storage/idmap-overlay.ts";
import { hostIdOf, parseUsernsFlags, usernsModeText } from "../../src/engine/userns-flags.ts";
import { firstFit, parseSubIds, POOL } from "../../src/engine/userns-ranges.ts";
import { makeReachable } from "../../src/engine/userns.ts";

function failure(fn: () => unknown): HuskError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HuskError);
    return e as HuskError;
  }
  throw new Error("expected a failure");
}

describe("--userns flags", () => {
  test("host and nothing mean no user namespace", () => {
    expect(parseUsernsFlags(undefined)).toEqual({ mode: "host" });
    expect(parseUsernsFlags("host")).toEqual({ mode: "host" });
    expect(usernsModeText({ mode: "host" })).toBe("");
  });
  test("auto, auto:size=N", () => {
    expect(parseUsernsFlags("auto")).toEqual({ mode: "auto", size: 65536 });
    expect(parseUsernsFlags("auto:size=1024")).toEqual({ mode: "auto", size: 1024 });
    expect(usernsModeText({ mode: "auto", size: 1024 })).toBe("auto:size=1024");
  });
  test("--uidmap alone maps the gids the same way; --gidmap apart", () => {
    expect(parseUsernsFlags(undefined, ["0:200000:1000"])).toEqual({ mode: "maps", uid: [{ containerID: 0, hostID: 200000, size: 1000 }], gid: [{ containerID: 0, hostID: 200000, size: 1000 }] });
    const r = parseUsernsFlags(undefined, ["0:200000:1000", "1000:300000:10"], ["0:400000:2000"]);
    expect(r.mode === "maps" && r.gid).toEqual([{ containerID: 0, hostID: 400000, size: 2000 }]);
  });
  test("bad values are one line with exit code 125, naming the value", () => {
    const cases: [string | undefined, string[], string[], string][] = [
      ["keep-id", [], [], "keep-id is for rootless podman, and husk runs as root"],
      ["nomap", [], [], 'invalid value "nomap" for --userns'],
      ["auto:size=x", [], [], 'invalid value "auto:size=x"'],
      ["auto:size=0", [], [], "size is between 1 and 16777216"],
      [undefined, ["0:1"], [], 'invalid value "0:1" for --uidmap'],
      [undefined, ["0:100000:0"], [], "SIZE is at least 1"],
      [undefined, ["1:100000:10"], [], "must map container id 0"],
      [undefined, ["0:100000:10", "5:200000:10"], [], "container ids overlap"],
      [undefined, ["0:100000:10", "10:100005:10"], [], "host ids overlap"],
      [undefined, [], ["0:1:1"], "needs --uidmap too"],
      ["auto", ["0:100000:10"], [], "conflicts with --uidmap"],
      [undefined, ["0:4294967295:2"], [], "past the largest id"],
    ];
    for (const [mode, uid, gid, msg] of cases) {
      const e = failure(() => parseUsernsFlags(mode, uid, gid));
      expect(e.message).toContain(msg);
      expect(e.exitCode).toBe(125);
      expect(e.render()).not.toContain("\n");
    }
  });
  test("ids through a mapping", () => {
    const maps = [{ containerID: 0, hostID: 100000, size: 1000 }, { containerID: 1000, hostID: 500000, size: 1 }];
    expect(hostIdOf(maps, 0)).toBe(100000);
    expect(hostIdOf(maps, 999)).toBe(100999);
    expect(hostIdOf(maps, 1000)).toBe(500000);
    expect(hostIdOf(maps, 1001)).toBeUndefined();
    expect(mappedId(maps, 1001)).toBe(65534);
  });
});

describe("auto ranges", () => {
  test("subordinate ids of one user, sorted", () => {
    const text = "alice:100000:65536\nhusk:300000:65536\nhusk:200000:131072\nhusk:bad:1\n";
    expect(parseSubIds(text, "husk")).toEqual([{ start: 200000, size: 131072 }, { start: 300000, size: 65536 }]);
    expect(parseSubIds(text, "containers")).toEqual([]);
  });
  test("first fit skips what is taken and never crosses a source's end", () => {
    const src = [{ start: 100000, size: 200000 }];
    expect(firstFit(src, [], 65536)).toBe(100000);
    expect(firstFit(src, [{ start: 100000, size: 65536 }], 65536)).toBe(165536);
    expect(firstFit(src, [{ start: 165536, size: 65536 }, { start: 100000, size: 65536 }], 65536)).toBe(231072);
    expect(firstFit(src, [{ start: 100000, size: 65536 }, { start: 165536, size: 65536 }, { start: 231072, size: 65536 }], 65536)).toBeUndefined();
    // A freed range in the middle is reused.
    expect(firstFit(src, [{ start: 100000, size: 10 }, { start: 200000, size: 10 }], 50000)).toBe(100010);
    // The second source is used when the first is full.
    expect(firstFit([{ start: 0, size: 10 }, { start: 1000, size: 100 }], [{ start: 0, size: 5 }], 10)).toBe(1000);
  });
  test("husk's pool starts above 100000 and stays below 2^31", () => {
    expect(POOL.start).toBe(100000);
    expect(POOL.start + POOL.size).toBe(2 ** 31);
  });
});

describe("idmapped snapshot", () => {
  test("husk-core argv carries maps, lowers top first, options and the target", () => {
    const argv = idmapOverlayArgv(
      { lowerDirs: ["/l/top", "/l/base"], upperDir: "/s/upper", workDir: "/s/work", options: ["index=off", "volatile"] },
      { uid: [{ containerID: 0, hostID: 100000, size: 65536 }], gid: [{ containerID: 0, hostID: 200000, size: 65536 }] },
      "/s/merged",
    );
    expect(argv).toEqual(["idmap-overlay", "--uidmap", "0:100000:65536", "--gidmap", "0:200000:65536", "--lower", "/l/top", "--lower", "/l/base", "--upper", "/s/upper", "--work", "/s/work", "--option", "index=off", "--option", "volatile", "/s/merged"]);
  });
  test("husk's dirs are opened for traversal; a closed dir of the user's is named", () => {
    const modes = new Map<string, number>([["/", 0o755], ["/data", 0o755], ["/data/snap", 0o700], ["/closed", 0o700], ["/closed/data", 0o755]]);
    const stat = ((p: string) => ({ mode: 0o40000 | modes.get(p)! })) as unknown as typeof import("node:fs").statSync;
    const chmod = ((p: string, m: number) => void modes.set(p, m)) as unknown as typeof import("node:fs").chmodSync;
    makeReachable(["/data/snap"], "/data", stat, chmod);
    expect(modes.get("/data/snap")).toBe(0o711);
    const e = failure(() => makeReachable([], "/closed/data", stat, chmod));
    expect(e.message).toContain("/closed (mode 0700)");
    expect(e.hint).toContain("chmod o+x /closed");
  });
});
