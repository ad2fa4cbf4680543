// The cni network driver with the reference CNI plugins (Debian containernetworking-plugins,
// /usr/lib/cni). The plugins run with a namespace this test made as their "host" side
// (option com.husk.cni.host-netns), so their bridge, sysctls and iptables rules live
// there; containers are namespaces the test made too. host-local keeps its leases under
// the test's data dir. No traffic leaves the machine.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { connect, createNetwork, disconnect, inspectNetwork, networkContext, reclaimNetwork, removeNetwork, type NetworkContext } from "../../src/network/manager.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";
import { fakeContainer, linksMatching, tempNetns, tempPaths, type FakeContainer, type TempNetns, type TestPaths } from "../../src/plugin/testkit.ts";

const BUN = resolve(import.meta.dir, "../../node_modules/.bin/bun");
const PROBE = resolve(import.meta.dir, "support/tcp-probe.ts");
const CNI_BIN = "/usr/lib/cni";
const isRoot = process.getuid?.() === 0;
const havePlugins = ["bridge", "host-local", "loopback", "portmap", "tuning"].every((p) => existsSync(join(CNI_BIN, p)));

let paths: TestPaths;
let hostns: TempNetns;
let ctx: NetworkContext;
let snapshot: HostSnapshot;
let confDir: string;
let ipamDir: string;
const containers: FakeContainer[] = [];
// Unique per test process: a bridge name (15 chars at most) and a /24 for each network.
const tag = (process.pid % 10000).toString().padStart(4, "0");
let nets = 0;

function must(r: { exitCode: number; stdout: string; stderr: string }, what: string) {
  if (r.exitCode !== 0) throw new Error(`${what}: exit ${r.exitCode}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function newContainer(): FakeContainer {
  const c = fakeContainer(paths.dataRoot);
  containers.push(c);
  return c;
}

interface Made {
  name: string;
  bridge: string;
  subnet: string;
  prefix: string; // "10.247.N"
}

/** Writes a conflist: bridge + host-local first, then `more` plugins, and makes the husk network. */
async function cniNetwork(more: object[], opts: Record<string, string> = {}, bridgeExtra: object = {}): Promise<Made> {
  const n = ++nets;
  const name = `tcni${tag}-${n}`;
  const bridge = `cn${tag}b${n}`;
  const prefix = `10.247.${(Number(tag) % 25) * 10 + n}`;
  const subnet = `${prefix}.0/24`;
  const list = {
    cniVersion: "1.0.0",
    name,
    plugins: [
      { type: "bridge", bridge, isGateway: true, ipMasq: true, ipam: { type: "host-local", dataDir: ipamDir, ranges: [[{ subnet }]], routes: [{ dst: "0.0.0.0/0" }] }, ...bridgeExtra },
      ...more,
    ],
  };
  writeFileSync(join(confDir, `50-${name}.conflist`), JSON.stringify(list, null, 2));
  await createNetwork(ctx, { name, driver: "cni", options: { "com.husk.cni.conf-dir": confDir, "com.husk.cni.bin-dir": CNI_BIN, "com.husk.cni.host-netns": hostns.path, ...opts } });
  return { name, bridge, subnet, prefix };
}

const leaseFiles = (net: string) => (existsSync(join(ipamDir, net)) ? readdirSync(join(ipamDir, net)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)) : []);
const natRules = () => must(hostns.exec(["iptables-save", "-t", "nat"]), "iptables-save");
const cacheFiles = () => (existsSync(join(paths.dataRoot, "cni", "results")) ? readdirSync(join(paths.dataRoot, "cni", "results")) : []);

async function server(ns: TempNetns, port: number, name: string) {
  const p = ns.spawn([BUN, PROBE, "server", String(port), name]);
  const reader = (p.stdout as ReadableStream<Uint8Array>).getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain("ready");
  return p;
}

describe.skipIf(!isRoot || !havePlugins)("cni network driver (reference plugins)", () => {
  let basic: Made;
  let a: FakeContainer, b: FakeContainer;
  let aVeth: string;

  beforeAll(async () => {
    snapshot = snapshotHost();
    paths = tempPaths();
    hostns = tempNetns("husk-h");
    must(hostns.exec(["ip", "link", "set", "lo", "up"]), "host lo up");
    confDir = join(paths.dataRoot, "net.d");
    ipamDir = join(paths.dataRoot, "cni-ipam");
    mkdirSync(confDir, { recursive: true });
    ctx = networkContext(paths.root, paths.dataRoot);
    basic = await cniNetwork([{ type: "loopback" }]);
    a = newContainer();
    b = newContainer();
  });

  afterAll(() => {
    try {
      // Nothing the plugins made per container is left in the host namespace.
      expect(linksMatching(/^veth/, hostns.path)).toEqual([]);
      const rules = natRules();
      for (const c of containers) expect(rules).not.toContain(c.id);
      expect(rules).not.toMatch(/CNI-DN-|:CNI-[0-9a-f]{24} /);
      for (let n = 1; n <= nets; n++) expect(leaseFiles(`tcni${tag}-${n}`)).toEqual([]);
      expect(cacheFiles()).toEqual([]);
    } finally {
      for (const c of containers) c.netns.remove();
      hostns?.remove();
      paths?.remove();
      assertNoLeaks(snapshot); // links and netns of the real host
    }
  });

  test("bridge + host-local + loopback give an address, a default route and lo up", async () => {
    const r = await connect(ctx, basic.name, a.request());
    expect(r.addresses).toEqual([{ interface: "eth0", address: `${basic.prefix}.2/24`, gateway: `${basic.prefix}.1` }]);
    expect(r.routes).toEqual([{ dst: "0.0.0.0/0", gateway: undefined }]);
    expect(r.interfaces[0]!.name).toBe("eth0");
    aVeth = r.interfaces[0]!.hostName!;
    expect(aVeth).toMatch(/^veth/);
    expect(linksMatching(new RegExp(`^${aVeth}$`), hostns.path)).toEqual([aVeth]);
    expect(must(a.netns.exec(["ip", "-4", "addr", "show", "eth0"]), "addr")).toContain(`inet ${basic.prefix}.2/24`);
    expect(must(a.netns.exec(["ip", "route"]), "route")).toContain(`default via ${basic.prefix}.1 dev eth0`);
    expect(must(a.netns.exec(["ip", "link", "show", "lo"]), "lo")).toContain("UP");
    // host-local's lease names the container
    expect(leaseFiles(basic.name)).toEqual([`${basic.prefix}.2`]);
    expect(readFileSync(join(ipamDir, basic.name, `${basic.prefix}.2`), "utf8")).toContain(a.id);
    must(a.netns.exec(["busybox", "ping", "-c1", "-W3", `${basic.prefix}.1`]), "ping gateway");
  });

  test("two namespaces reach each other by address through the CNI bridge", async () => {
    const r = await connect(ctx, basic.name, b.request());
    expect(r.addresses[0]!.address).toBe(`${basic.prefix}.3/24`);
    must(a.netns.exec(["busybox", "ping", "-c1", "-W3", `${basic.prefix}.3`]), "a -> b");
    must(b.netns.exec(["busybox", "ping", "-c1", "-W3", `${basic.prefix}.2`]), "b -> a");
    const srv = await server(b.netns, 7070, "from-b");
    try {
      expect(must(a.netns.exec([BUN, PROBE, "client", `${basic.prefix}.3`, "7070"]), "tcp a -> b").trim()).toBe(`from-b ${basic.prefix}.2`);
    } finally {
      srv.kill();
    }
  });

  test("--ip reaches host-local through CNI_ARGS", async () => {
    const c = newContainer();
    const r = await connect(ctx, basic.name, c.request({ ipv4: `${basic.prefix}.77` }));
    expect(r.addresses[0]!.address).toBe(`${basic.prefix}.77/24`);
    expect(leaseFiles(basic.name)).toContain(`${basic.prefix}.77`);
    await disconnect(ctx, basic.name, c.id);
    expect(leaseFiles(basic.name)).not.toContain(`${basic.prefix}.77`);
  });

  test("CHECK passes on a good attachment and names the plugin when the container's address is gone", async () => {
    const ok = (await inspectNetwork(ctx, basic.name)).driverState as { containers: Record<string, { check: string; addresses: string[] }>; plugins: string[] };
    expect(ok.plugins).toEqual(["bridge", "loopback"]);
    expect(ok.containers[a.id]).toMatchObject({ check: "ok", addresses: [`${basic.prefix}.2/24`] });
    expect(ok.containers[b.id]!.check).toBe("ok");
    must(b.netns.exec(["ip", "addr", "flush", "dev", "eth0"]), "flush b's address");
    const bad = (await inspectNetwork(ctx, basic.name)).driverState as typeof ok;
    expect(bad.containers[a.id]!.check).toBe("ok");
    expect(bad.containers[b.id]!.check).toMatch(/^CHECK tcni\d+-1: CNI plugin bridge \(\/usr\/lib\/cni\/bridge\): .*10\.247\.\d+\.3/);
    expect(bad.containers[b.id]!.check).not.toContain("\n");
    // Put it back: bridge's DEL finds the addresses whose masquerade rules it removes on the link.
    must(b.netns.exec(["ip", "addr", "add", `${basic.prefix}.3/24`, "dev", "eth0"]), "restore b's address");
  });

  test("DEL removes the veth, the lease, the masquerade rules and the cache entry; twice is fine", async () => {
    expect(natRules()).toContain(a.id); // ipMasq's per-container chain names the container
    await disconnect(ctx, basic.name, a.id);
    expect(linksMatching(new RegExp(`^${aVeth}$`), hostns.path)).toEqual([]);
    expect(linksMatching(/^eth0$/, a.netns.path)).toEqual([]);
    expect(leaseFiles(basic.name)).toEqual([`${basic.prefix}.3`]);
    expect(natRules()).not.toContain(a.id);
    expect(cacheFiles().some((f) => f.includes(a.id))).toBe(false);
    await disconnect(ctx, basic.name, a.id);
    await disconnect(ctx, basic.name, b.id);
    expect(leaseFiles(basic.name)).toEqual([]);
  });

  test("portmap publishes a port that answers on the host side's 127.0.0.1, and DEL removes its rules", async () => {
    const pm = await cniNetwork([{ type: "portmap", capabilities: { portMappings: true } }]);
    const c = newContainer();
    await connect(ctx, pm.name, c.request({ ports: [{ hostIp: "127.0.0.1", hostPort: 18480, containerPort: 80, protocol: "tcp" }] }));
    const rules = natRules();
    expect(rules).toMatch(/:CNI-DN-[0-9a-f]+ /);
    expect(rules).toContain(`-d 127.0.0.1/32 -p tcp -m tcp --dport 18480 -j DNAT --to-destination ${pm.prefix}.2:80`);
    const srv = await server(c.netns, 80, "from-c");
    try {
      expect(must(hostns.exec([BUN, PROBE, "client", "127.0.0.1", "18480"]), "client")).toStartWith("from-c ");
    } finally {
      srv.kill();
    }
    await disconnect(ctx, pm.name, c.id);
    const after = natRules();
    expect(after).not.toContain(c.id);
    expect(after).not.toMatch(/CNI-DN-|dport 18480/);
    expect(leaseFiles(pm.name)).toEqual([]);
    await removeNetwork(ctx, pm.name);
  });

  test("-p on a list without portmap is refused before anything is made", async () => {
    const c = newContainer();
    await expect(connect(ctx, basic.name, c.request({ ports: [{ hostPort: 18481, containerPort: 80, protocol: "tcp" }] }))).rejects.toThrow(
      /^network plugin cni: CNI network tcni\d+-1 has no plugin with the portMappings capability/,
    );
    expect(leaseFiles(basic.name)).toEqual([]);
  });

  test("a failing plugin's error is one line naming it, and the ADD is rolled back", async () => {
    const bad = await cniNetwork([{ type: "tuning", sysctl: { "net.ipv4.conf.eth0.husk_no_such_knob": "1" } }]);
    const c = newContainer();
    const err = (await connect(ctx, bad.name, c.request()).catch((e) => e)) as Error & { render(): string };
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(new RegExp(`^network plugin cni: attach .* to ${bad.name}: ADD ${bad.name}: CNI plugin tuning \\(/usr/lib/cni/tuning\\): .*husk_no_such_knob`));
    expect(err.render()).not.toContain("\n");
    // bridge's ADD had succeeded: the rollback DEL undid it
    expect(linksMatching(/^veth/, hostns.path)).toEqual([]);
    expect(linksMatching(/^eth0$/, c.netns.path)).toEqual([]);
    expect(leaseFiles(bad.name)).toEqual([]);
    expect(natRules()).not.toContain(c.id);
    await removeNetwork(ctx, bad.name);
  });

  test("a missing plugin and a hanging plugin are named; the hang is cut by the timeout", async () => {
    writeFileSync(join(confDir, `60-tcni${tag}-missing.conflist`), JSON.stringify({ cniVersion: "1.0.0", name: `tcni${tag}-missing`, plugins: [{ type: "husk-no-such-plugin" }] }));
    await expect(createNetwork(ctx, { name: `tcni${tag}-missing`, driver: "cni", options: { "com.husk.cni.conf-dir": confDir, "com.husk.cni.bin-dir": CNI_BIN } })).rejects.toThrow(
      /^network plugin cni: create network tcni\d+-missing: VERSION tcni\d+-missing: CNI plugin husk-no-such-plugin: not found in \/usr\/lib\/cni/,
    );
    // A plugin that answers VERSION but hangs on ADD.
    const bin = join(paths.dataRoot, "slow-bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "husk-slow"), `#!/bin/sh\nif [ "$CNI_COMMAND" = VERSION ]; then echo '{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}'; exit 0; fi\nif [ "$CNI_COMMAND" = ADD ]; then exec sleep 60; fi\nexit 0\n`);
    chmodSync(join(bin, "husk-slow"), 0o755);
    const name = `tcni${tag}-slow`;
    writeFileSync(join(confDir, `60-${name}.conflist`), JSON.stringify({ cniVersion: "1.0.0", name, plugins: [{ type: "husk-slow" }] }));
    await createNetwork(ctx, { name, driver: "cni", options: { "com.husk.cni.conf-dir": confDir, "com.husk.cni.bin-dir": bin, "com.husk.cni.timeout": "1" } });
    const c = newContainer();
    await expect(connect(ctx, name, c.request())).rejects.toThrow(new RegExp(`ADD ${name}: CNI plugin husk-slow \\(${bin}/husk-slow\\): did not finish within 1 s and was killed`));
    await removeNetwork(ctx, name);
  });

  test("an attachment whose netns is gone (a reboot, a lost container) is DELeted by reclaim", async () => {
    // No ipMasq here: bridge 1.1.1 reads the addresses whose masquerade rules it removes from
    // the container's link, so without the netns it cannot find them (after a reboot those
    // rules are gone anyway). host-local's lease and portmap's rules only need the id.
    const gone = await cniNetwork([{ type: "portmap", capabilities: { portMappings: true } }], {}, { ipMasq: false });
    const c = newContainer();
    await connect(ctx, gone.name, c.request({ ports: [{ hostPort: 18482, containerPort: 80, protocol: "udp" }] }));
    expect(leaseFiles(gone.name)).toHaveLength(1);
    expect(natRules()).toContain("dport 18482");
    expect(cacheFiles().some((f) => f.includes(c.id))).toBe(true);
    c.netns.remove(); // nobody called detach
    expect(await reclaimNetwork(ctx, ctx.store.get(gone.name))).toBe(1);
    expect(leaseFiles(gone.name)).toEqual([]);
    expect(natRules()).not.toMatch(/dport 18482|CNI-DN-/);
    expect(natRules()).not.toContain(c.id);
    expect(cacheFiles()).toEqual([]);
    await removeNetwork(ctx, gone.name);
  });

  test("network rm leaves nothing of the driver's", async () => {
    await removeNetwork(ctx, basic.name);
    expect(cacheFiles()).toEqual([]);
  });
});
