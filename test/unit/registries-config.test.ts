import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRegistriesConfig, parseMirrorFlag, parseRegistriesConfig, pullEndpoints, registriesConfig } from "../../src/image/registries-config.ts";

describe("registries.json", () => {
  test("husk's keys and docker's daemon.json keys", () => {
    const conf = parseRegistriesConfig(
      JSON.stringify({
        mirrors: { "127.0.0.1:5000": ["127.0.0.1:5001", "https://mirror.lan/"] },
        "registry-mirrors": ["https://hub-mirror.lan:443"],
        insecure: ["reg.lan:5000"],
        "insecure-registries": ["old.lan"],
      }),
      "r.json",
    );
    expect(conf).toEqual({
      mirrors: { "127.0.0.1:5000": ["127.0.0.1:5001", "mirror.lan"], "docker.io": ["hub-mirror.lan:443"] },
      insecure: ["reg.lan:5000", "old.lan"],
    });
  });
  test("mistakes name the file and the entry", () => {
    expect(() => parseRegistriesConfig("{", "/etc/husk/registries.json")).toThrow(/^\/etc\/husk\/registries\.json: not valid JSON/);
    expect(() => parseRegistriesConfig(JSON.stringify({ mirrors: { "a:1": "b:1" } }), "r.json")).toThrow("r.json: mirrors.a:1: expected a list of hosts");
    expect(() => parseRegistriesConfig(JSON.stringify({ insecure: ["reg.lan/path"] }), "r.json")).toThrow('r.json: insecure[0]: "reg.lan/path" is not a registry host[:port]');
  });
  test("the file from HUSK_REGISTRIES_CONF; flags' mirrors come first; endpoints end with the registry", () => {
    const dir = mkdtempSync(join(tmpdir(), "husk-regconf-"));
    try {
      const file = join(dir, "registries.json");
      writeFileSync(file, JSON.stringify({ mirrors: { "r:1": ["m1:1", "m2:1"] }, insecure: ["i:1"] }));
      const env = { HUSK_REGISTRIES_CONF: file };
      expect(loadRegistriesConfig(env).mirrors["r:1"]).toEqual(["m1:1", "m2:1"]);
      const conf = registriesConfig({ mirrors: ["r:1=m0:1", "hub.lan"], insecure: ["j:1"] }, env);
      expect(pullEndpoints(conf, "r:1")).toEqual(["m0:1", "m1:1", "m2:1", "r:1"]);
      expect(pullEndpoints(conf, "docker.io")).toEqual(["hub.lan", "docker.io"]);
      expect(pullEndpoints(conf, "other:1")).toEqual(["other:1"]);
      expect(conf.insecure).toEqual(["i:1", "j:1"]);
      expect(() => loadRegistriesConfig({ HUSK_REGISTRIES_CONF: join(dir, "absent.json") })).toThrow(/absent\.json: no such file: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test("--registry-mirror forms", () => {
    expect(parseMirrorFlag("mirror.lan:5000")).toEqual({ registry: "docker.io", mirror: "mirror.lan:5000" });
    expect(parseMirrorFlag("https://r.lan=http://m.lan:1")).toEqual({ registry: "r.lan", mirror: "m.lan:1" });
    expect(() => parseMirrorFlag("r.lan=")).toThrow(/--registry-mirror: "" is not a registry host/);
  });
});
