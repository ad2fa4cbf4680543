// The lazy command table must agree with the command classes it loads.
import { describe, expect, test } from "bun:test";
import { COMMANDS, commandFor, knownPath } from "../../src/cli/commands.ts";

describe("command table", () => {
  test("each entry's paths are exactly its class's static paths", async () => {
    for (const entry of COMMANDS) {
      const cls = await entry.load();
      expect({ name: cls.name, paths: cls.paths }).toEqual({ name: cls.name, paths: entry.paths });
    }
  });

  test("no path belongs to two entries", () => {
    const seen = new Map<string, number>();
    COMMANDS.forEach((e, i) => {
      for (const p of e.paths) {
        const key = p.join(" ");
        expect(seen.has(key) ? `${key} in entries ${seen.get(key)} and ${i}` : "").toBe("");
        seen.set(key, i);
      }
    });
  });

  test("the longest matching path picks one command", async () => {
    expect(await commandFor(["oci", "create", "--bundle", "b", "x"])?.load()).toBe(await COMMANDS[0]!.load());
    const help = await commandFor(["oci", "bogus"])?.load();
    expect(help?.paths).toEqual([["oci"], ["oci", "help"]]);
    expect((await commandFor(["images", "-q"])?.load())?.paths?.[0]).toEqual(["image", "ls"]);
    expect(commandFor(["no-such-verb"])).toBeUndefined();
    expect(commandFor([])).toBeUndefined();
  });

  test("hints name the command's first path", () => {
    expect(knownPath(["rmi", "x"])).toEqual(["image", "rm"]);
    expect(knownPath(["oci", "run", "--bad"])).toEqual(["oci", "run"]);
    expect(knownPath(["zzz"])).toBeUndefined();
  });
});
