// husk plugin ls/inspect and husk network create/ls/inspect/rm/prune through the compiled
// binary, with a plugin imported from disk ($HUSK_PLUGIN_PATH) by the single executable.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHusk } from "../helpers/husk.ts";
import { tempNetns, type TempNetns } from "../../src/plugin/testkit.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";

const isRoot = process.getuid?.() === 0;
let dir: string;
let env: Record<string, string>;
let snapshot: HostSnapshot;

const GOOD_PLUGIN = `
// An outside plugin: no imports from husk, everything it needs comes through host.
export const manifest = { name: "echo-net", kind: "network", apiVersion: "1.0", version: "0.0.1" };
export function create(host) {
  return {
    createNetwork: (req) => ({ id: req.id, name: req.name, driver: "echo-net", created: new Date().toISOString(),
      subnets: [], ipv6: false, internal: true, options: { ...req.options, stateDir: host.stateDir() }, labels: {} }),
    deleteNetwork() {},
    attach: () => ({ interfaces: [], addresses: [], routes: [] }),
    detach() {},
  };
}
`;
const TS_PLUGIN = `
import type { } from "node:fs"; // type-only imports vanish; husk's own modules are not importable
interface Manifest { name: string; kind: "network"; apiVersion: string }
export const manifest: Manifest = { name: "ts-net", kind: "network", apiVersion: "1.0" };
export function create(host: { error(m: string, h?: string): Error }) {
  return {
    createNetwork(): never { throw host.error("refuses every network", "this plugin is a test"); },
    deleteNetwork() {}, attach() { return { interfaces: [], addresses: [], routes: [] }; }, detach() {},
  };
}
`;
const FUTURE_PLUGIN = `export const manifest = { name: "future-net", kind: "network", apiVersion: "2.0" };
export function create() { return {}; }`;

function husk(args: string[]) {
  return runHusk([...args.slice(0, 2), "--root", join(dir, "run"), "--data-root", join(dir, "lib"), ...args.slice(2)], { env });
}

describe.skipIf(!isRoot)("plugin and network commands (dist/husk)", () => {
  beforeAll(() => {
    snapshot = snapshotHost();
    dir = mkdtempSync(join(tmpdir(), `husk-test-${process.pid}-`));
    mkdirSync(join(dir, "plugins", "ts-net"), { recursive: true });
    writeFileSync(join(dir, "plugins", "echo.js"), GOOD_PLUGIN);
    writeFileSync(join(dir, "plugins", "ts-net", "index.ts"), TS_PLUGIN);
    writeFileSync(join(dir, "future.js"), FUTURE_PLUGIN);
    env = { HUSK_PLUGIN_PATH: `${join(dir, "plugins")}:${join(dir, "future.js")}` };
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    assertNoLeaks(snapshot);
  });

  test("plugin ls shows bundled plugins first, then plugins from disk, and warns about a wrong API version", () => {
    const r = husk(["plugin", "ls"]);
    expect(r.exitCode).toBe(0);
    const rows = r.stdout.trim().split("\n").map((l) => l.split(/\s+/));
    expect(rows.map((x) => x[0])).toEqual(["NAME", "bridge", "cni", "host", "netns", "none", "local", "echo-net", "ts-net"]);
    expect(rows[7]).toEqual(["echo-net", "network", "1.0", join(dir, "plugins", "echo.js")]);
    expect(r.stderr.trim()).toBe(`husk: warning: plugin future-net: needs plugin API 2.0 but this husk speaks 1.0 (from ${join(dir, "future.js")}) (hint: upgrade husk, or use a build of the plugin for API 1.0)`);
  });

  test("plugin inspect prints the manifest and its source; an unknown plugin is exit 125", () => {
    const r = husk(["plugin", "inspect", "ts-net"]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ name: "ts-net", kind: "network", apiVersion: "1.0", source: join(dir, "plugins", "ts-net", "index.ts"), hostApiVersion: "1.0" }]);
    const bad = husk(["plugin", "inspect", "future-net"]);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr).toContain("husk: plugin future-net: needs plugin API 2.0");
    const none = husk(["plugin", "inspect", "nope"]);
    expect(none.exitCode).toBe(125);
    expect(none.stderr).toStartWith("husk: plugin nope: not found (hint: see 'husk plugin ls'");
  });

  test("a network made by a plugin from disk; the plugin's own error names it", () => {
    const r = husk(["network", "create", "-d", "echo-net", "-o", "color=blue", "echoes"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const [net] = JSON.parse(husk(["network", "inspect", "echoes"]).stdout);
    expect(net.driver).toBe("echo-net");
    expect(net.options).toEqual({ color: "blue", stateDir: join(dir, "lib", "plugins", "echo-net") });
    const refused = husk(["network", "create", "-d", "ts-net", "x"]);
    expect(refused.exitCode).toBe(125);
    expect(refused.stderr).toBe("husk: network plugin ts-net: refuses every network (hint: this plugin is a test)\n");
  });

  test("bridge networks: create with subnet, gateway, ip range, IPv6 and MTU; ls; inspect; rm; prune", () => {
    using ns = tempNetns("husk-e");
    const made = husk(["network", "create", "--subnet", "10.254.0.0/24", "--gateway", "10.254.0.254", "--ip-range", "10.254.0.128/25", "--ipv6", "--mtu", "1400", "-o", `com.husk.bridge.host-netns=${ns.path}`, "br1"]);
    expect(made.stderr).toBe("");
    expect(made.exitCode).toBe(0);
    const [net] = JSON.parse(husk(["network", "inspect", "br1"]).stdout);
    expect(net.subnets).toEqual([{ subnet: "10.254.0.0/24", gateway: "10.254.0.254", ipRange: "10.254.0.128/25" }, { subnet: "fd68:7573:6b00::/64", gateway: "fd68:7573:6b00::1" }]);
    expect(net.mtu).toBe(1400);
    expect(net.driverState).toEqual({ bridge: `husk-${net.id.slice(0, 10)}`, containers: {}, leases: 0 });
    const overlap = husk(["network", "create", "--subnet", "10.254.0.0/16", "br2"]);
    expect(overlap.exitCode).toBe(125);
    expect(overlap.stderr).toContain("subnet 10.254.0.0/16 overlaps 10.254.0.0/24 of another network");
    const badGw = husk(["network", "create", "--subnet", "10.99.0.0/24", "--gateway", "10.98.0.1", "br3"]);
    expect(badGw.stderr).toBe("husk: network plugin bridge: gateway 10.98.0.1 is not inside subnet 10.99.0.0/24\n");
    const ls = husk(["network", "ls", "--format", "json"]);
    expect(JSON.parse(ls.stdout).map((n: { name: string }) => n.name)).toEqual(["br1", "bridge", "echoes", "host", "netns", "none"]);
    expect(husk(["network", "rm", "bridge"]).stderr).toBe('husk: network "bridge" is built in and cannot be removed\n');
    const pruned = husk(["network", "prune"]);
    expect(pruned.stdout).toBe("Deleted Networks:\nbr1\nechoes\n");
    expect(husk(["network", "rm", "br1"]).stderr).toBe('husk: network "br1" not found (hint: see \'husk network ls\')\n');
  });
});
