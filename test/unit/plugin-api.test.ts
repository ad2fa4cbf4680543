import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NetworkConfig, NetworkDriver, PluginModule } from "../../src/plugin/api.ts";
import { findPluginFiles } from "../../src/plugin/discovery.ts";
import { guardNetworkDriver } from "../../src/plugin/guard.ts";
import { checkApiVersion, toPluginModule } from "../../src/plugin/manifest.ts";
import { BUNDLED_PLUGINS, type BundledPlugin } from "../../src/plugin/bundled.ts";
import { PluginRegistry } from "../../src/plugin/registry.ts";
import { NftablesFirewall } from "../../src/network/firewall/nftables.ts";
import { IptablesFirewall } from "../../src/network/firewall/iptables.ts";

describe("manifest and API version", () => {
  test("same major and an older or equal minor are accepted", () => {
    expect(() => checkApiVersion("p", "1.0", "x", "1.2")).not.toThrow();
    expect(() => checkApiVersion("p", "1.3", "x", "1.2")).toThrow("plugin p: needs plugin API 1.3 but this husk speaks 1.2 (from x)");
    expect(() => checkApiVersion("p", "0.9", "x", "1.2")).toThrow("needs plugin API 0.9");
    expect(() => checkApiVersion("p", "one", "x", "1.2")).toThrow('apiVersion "one" in x is not MAJOR.MINOR');
  });
  test("module shapes: named exports or a default export; bad manifests named", () => {
    const create = () => ({});
    expect(toPluginModule({ manifest: { name: "a", kind: "network", apiVersion: "1.0" }, create }, "f").manifest.name).toBe("a");
    expect(toPluginModule({ default: { manifest: { name: "b", kind: "volume", apiVersion: "1.0" }, create } }, "f").manifest.kind).toBe("volume");
    expect(() => toPluginModule({}, "f.js")).toThrow("plugin f.js: f.js exports no manifest");
    expect(() => toPluginModule({ manifest: { name: "Bad Name", kind: "network", apiVersion: "1.0" }, create }, "f")).toThrow("is invalid");
    expect(() => toPluginModule({ manifest: { name: "c", kind: "storage", apiVersion: "1.0" }, create }, "f")).toThrow('must be "network" or "volume"');
    expect(() => toPluginModule({ manifest: { name: "d", kind: "network", apiVersion: "1.0" } }, "f")).toThrow("network plugin d: f exports no create(host) function");
  });
});

describe("discovery", () => {
  test("files and index files in search order; missing dirs skipped", () => {
    const dir = mkdtempSync(join(tmpdir(), "husk-unit-"));
    try {
      mkdirSync(join(dir, "a", "zdir"), { recursive: true });
      writeFileSync(join(dir, "a", "b.ts"), "");
      writeFileSync(join(dir, "a", "a.js"), "");
      writeFileSync(join(dir, "a", "x.test.ts"), "");
      writeFileSync(join(dir, "a", "types.d.ts"), "");
      writeFileSync(join(dir, "a", "readme.md"), "");
      writeFileSync(join(dir, "a", "zdir", "index.ts"), "");
      writeFileSync(join(dir, "single.mjs"), "");
      expect(findPluginFiles([join(dir, "nope"), join(dir, "a"), join(dir, "single.mjs")])).toEqual([
        join(dir, "a", "a.js"), join(dir, "a", "b.ts"), join(dir, "a", "zdir", "index.ts"), join(dir, "single.mjs"),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const net = { id: "f".repeat(64), name: "n1" } as NetworkConfig;
const req = { containerId: "c".repeat(64), containerName: "web", netnsPath: "/x", pid: 0, ifname: "eth0", ports: [], aliases: [] };

describe("guard", () => {
  test("a failed attach is followed by detach, and the error names plugin, container and network", async () => {
    const calls: string[] = [];
    const d: NetworkDriver = {
      createNetwork: () => net,
      deleteNetwork() {},
      attach() {
        calls.push("attach");
        throw Object.assign(new Error("create veth: EEXIST"), { code: "EEXIST" });
      },
      detach(_n, r) {
        calls.push(`detach ${r.ifname}`);
      },
    };
    const g = guardNetworkDriver("demo", d);
    await expect(g.attach(net, req)).rejects.toThrow("network plugin demo: attach web to n1: create veth: EEXIST");
    expect(calls).toEqual(["attach", "detach eth0"]);
  });
});

describe("registry", () => {
  const mod = (name: string, kind: "network" | "volume" = "network"): PluginModule => ({
    manifest: { name, kind, apiVersion: "1.0" },
    create: () => ({ createNetwork: () => net, deleteNetwork() {}, attach: () => ({ interfaces: [], addresses: [], routes: [] }), detach() {} }) as NetworkDriver,
  });
  test("finds bundled plugins without touching the search path; kind mismatches are named", async () => {
    const reg = new PluginRegistry({ root: "/r", dataRoot: "/d" }, ["/nonexistent"], [mod("a"), mod("v", "volume")]);
    expect((await reg.find("a")).source).toBe("bundled");
    await expect(reg.networkDriver("v")).rejects.toThrow("volume plugin v: is a volume plugin, not a network plugin");
    await expect(reg.find("zz")).rejects.toThrow("plugin zz: not found");
  });
  test("a plugin on disk may not take a bundled name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "husk-unit-"));
    try {
      writeFileSync(join(dir, "dup.js"), `export const manifest = { name: "a", kind: "network", apiVersion: "1.0" }; export function create() { return {}; }`);
      const reg = new PluginRegistry({ root: "/r", dataRoot: "/d" }, [dir], [mod("a")]);
      await reg.loadExternal();
      expect(reg.problems.map((p) => p.error.message)).toEqual([`network plugin a: ${join(dir, "dup.js")} uses a name already taken by a bundled plugin`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test("each bundled plugin is listed under its manifest's name, in order", async () => {
    const loaded = await Promise.all(BUNDLED_PLUGINS.map((b) => b.load()));
    expect(loaded.map((m) => m.manifest.name)).toEqual(BUNDLED_PLUGINS.map((b) => b.name));
    expect(BUNDLED_PLUGINS.map((b) => b.name)).toEqual(["bridge", "cni", "host", "netns", "none", "local"]);
  });
  test("a bundled plugin's module is imported only when it is found or listed", async () => {
    const loads: string[] = [];
    const lazy = (name: string, kind: "network" | "volume" = "network", manifestName = name): BundledPlugin => ({
      name,
      load: async () => {
        loads.push(name);
        return mod(manifestName, kind);
      },
    });
    const dir = mkdtempSync(join(tmpdir(), "husk-unit-"));
    try {
      writeFileSync(join(dir, "dup.js"), `export const manifest = { name: "b", kind: "volume", apiVersion: "1.0" }; export function create() { return {}; }`);
      const reg = new PluginRegistry({ root: "/r", dataRoot: "/d" }, [dir], [lazy("a"), lazy("b", "volume"), lazy("c", "network", "other")]);
      expect((await reg.find("a")).manifest.name).toBe("a");
      expect(loads).toEqual(["a"]);
      await reg.find("a");
      expect(loads).toEqual(["a"]); // imported once
      // A disk plugin cannot take a bundled name even before that plugin is imported.
      await reg.loadExternal();
      expect(loads).toEqual(["a"]);
      expect(reg.problems.map((p) => p.error.message)).toEqual([`volume plugin b: ${join(dir, "dup.js")} uses a name already taken by a bundled plugin`]);
      // A bundled entry whose module says another name is refused, naming both.
      await expect(reg.find("c")).rejects.toThrow('network plugin c: the bundled plugin\'s manifest says "other"');
      await expect(reg.list()).rejects.toThrow("network plugin c");
      expect(loads).toEqual(["a", "c", "b", "c"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test("listing keeps the bundled order, then plugins from disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "husk-unit-"));
    try {
      writeFileSync(join(dir, "ext.js"), `export const manifest = { name: "ext", kind: "network", apiVersion: "1.0" }; export function create() { return {}; }`);
      const lazy = (name: string): BundledPlugin => ({ name, load: async () => mod(name) });
      const reg = new PluginRegistry({ root: "/r", dataRoot: "/d" }, [dir], [lazy("z"), lazy("y")]);
      await reg.find("y");
      expect((await reg.list()).map((e) => `${e.manifest.name} ${e.source}`)).toEqual(["z bundled", "y bundled", `ext ${join(dir, "ext.js")}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("firewall backends (recorded commands)", () => {
  const recorder = (listing = "") => {
    const calls: { argv: string[]; stdin?: string }[] = [];
    return {
      calls,
      run: (argv: string[], stdin?: string) => {
        calls.push({ argv, stdin });
        if (argv.includes("-j")) return { exitCode: 0, stdout: listing, stderr: "" };
        if (argv[0] === "iptables-save") return { exitCode: 0, stdout: listing, stderr: "" };
        return { exitCode: 0, stdout: "", stderr: "" };
      },
    };
  };
  test("nft: publish adds tagged dnat rules; unpublish deletes exactly the tagged handles", () => {
    const id = "c".repeat(64);
    const listing = JSON.stringify({ nftables: [
      { rule: { chain: "prerouting", handle: 7, comment: `husk-ctr-${id}` } },
      { rule: { chain: "output", handle: 8, comment: `husk-ctr-${id}` } },
      { rule: { chain: "prerouting", handle: 9, comment: `husk-ctr-${"d".repeat(64)}` } },
    ] });
    const r = recorder(listing);
    const fw = new NftablesFirewall(r.run);
    fw.publish([{ containerId: id, hostIp: "127.0.0.1", hostPort: 8080, protocol: "tcp", containerIp: "10.0.0.2", containerPort: 80 }]);
    expect(r.calls[0]!.stdin).toContain(`add rule ip husk prerouting ip daddr 127.0.0.1 tcp dport 8080 dnat to 10.0.0.2:80 comment "husk-ctr-${id}"`);
    expect(r.calls[0]!.stdin).toContain(`add rule ip husk output ip daddr 127.0.0.1 tcp dport 8080 dnat to 10.0.0.2:80`);
    fw.unpublish(id);
    expect(r.calls.at(-1)!.stdin).toBe("delete rule ip husk prerouting handle 7\ndelete rule ip husk output handle 8\n");
  });
  test("iptables: rules carry the tag, removal turns exactly those -A lines into -D", () => {
    const id = "e".repeat(64);
    const listing = `*nat\n-A HUSK-PREROUTING -d 127.0.0.1/32 -p udp -m udp --dport 53 -m comment --comment husk-ctr-${id} -j DNAT --to-destination 10.0.0.2:53\n-A HUSK-PREROUTING -p tcp -m comment --comment husk-ctr-other -j DNAT --to-destination 10.0.0.3:1\nCOMMIT\n`;
    const r = recorder(listing);
    const fw = new IptablesFirewall(r.run);
    fw.unpublish(id);
    const deletes = r.calls.filter((c) => c.argv.includes("-D"));
    expect(deletes.map((c) => c.argv.join(" "))).toEqual([`iptables -w -t nat -D HUSK-PREROUTING -d 127.0.0.1/32 -p udp -m udp --dport 53 -m comment --comment husk-ctr-${id} -j DNAT --to-destination 10.0.0.2:53`]);
  });
});
