// The bridge, none and netns drivers against the real kernel. Everything happens in
// namespaces this test makes: "host" stands in for the host side of the bridge (its
// firewall table and forwarding live there), "outside" is a namespace reached through
// masquerade. No traffic leaves the machine.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { connect, createNetwork, disconnect, getNetwork, networkContext, reclaimNetwork, removeNetwork, sandboxFor, type NetworkContext } from "../../src/network/manager.ts";
import { readState } from "../../src/network/network-state.ts";
import { containerTag, networkTag } from "../../src/network/firewall/types.ts";
import { Netlink } from "../../src/network/netlink.ts";
import { assertNoLeaks, snapshotHost, type HostSnapshot } from "../helpers/leaks.ts";
import { assertNoPluginLeaks, fakeContainer, findPluginLeaks, linksMatching, tempNetns, tempPaths, type FakeContainer, type TempNetns, type TestPaths } from "../../src/plugin/testkit.ts";

const BUN = resolve(import.meta.dir, "../../node_modules/.bin/bun");
const PROBE = resolve(import.meta.dir, "support/tcp-probe.ts");
const WORKER = resolve(import.meta.dir, "support/attach-worker.ts");
const HOST_NETNS_OPT = "com.husk.bridge.host-netns";
const isRoot = process.getuid?.() === 0;

let paths: TestPaths;
let hostns: TempNetns;
let outside: TempNetns;
let ctx: NetworkContext;
let snapshot: HostSnapshot;
const containers: FakeContainer[] = [];

function must(r: { exitCode: number; stdout: string; stderr: string }, what: string) {
  if (r.exitCode !== 0) throw new Error(`${what}: exit ${r.exitCode}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function server(ns: TempNetns, port: number, name: string) {
  const p = ns.spawn([BUN, PROBE, "server", String(port), name]);
  const reader = (p.stdout as ReadableStream<Uint8Array>).getReader();
  const { value } = await reader.read();
  expect(new TextDecoder().decode(value)).toContain("ready");
  return p;
}

function newContainer(): FakeContainer {
  const c = fakeContainer(paths.dataRoot);
  containers.push(c);
  return c;
}

describe.skipIf(!isRoot)("bridge network driver", () => {
  let net: Awaited<ReturnType<typeof createNetwork>>;
  let a: FakeContainer, b: FakeContainer;

  beforeAll(async () => {
    snapshot = snapshotHost();
    paths = tempPaths();
    hostns = tempNetns("husk-h");
    outside = tempNetns("husk-o");
    // host <-> outside: a point-to-point link with addresses of our own choosing.
    must(hostns.exec(["ip", "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", outside.name]), "uplink veth");
    must(hostns.exec(["ip", "addr", "add", "10.251.0.1/30", "dev", "up0"]), "uplink addr");
    must(hostns.exec(["ip", "link", "set", "up0", "up"]), "uplink up");
    must(hostns.exec(["ip", "link", "set", "lo", "up"]), "host lo up");
    must(outside.exec(["ip", "addr", "add", "10.251.0.2/30", "dev", "eth0"]), "outside addr");
    must(outside.exec(["ip", "link", "set", "eth0", "up"]), "outside up");
    ctx = networkContext(paths.root, paths.dataRoot);
    net = await createNetwork(ctx, { name: "tnet", driver: "bridge", subnets: [{ subnet: "10.252.0.0/24" }], options: { [HOST_NETNS_OPT]: hostns.path } });
    a = newContainer();
    b = newContainer();
  });

  afterAll(() => {
    for (const c of containers) c.netns.remove();
    hostns?.remove();
    outside?.remove();
    paths?.remove();
    assertNoLeaks(snapshot); // links and netns of the host
  });

  test("create fills in the gateway and a bridge name, and refuses overlaps", async () => {
    expect(net.subnets).toEqual([{ subnet: "10.252.0.0/24", gateway: "10.252.0.1", ipRange: undefined }]);
    expect(net.options["com.husk.bridge.name"]).toBe(`husk-${net.id.slice(0, 10)}`);
    await expect(createNetwork(ctx, { name: "tnet2", driver: "bridge", subnets: [{ subnet: "10.252.0.128/25" }] })).rejects.toThrow(/overlaps 10.252.0.0\/24/);
    await expect(createNetwork(ctx, { name: "tnet", driver: "bridge" })).rejects.toThrow(/already exists/);
  });

  test("two containers reach the gateway and each other, and know each other by name", async () => {
    const ra = await connect(ctx, "tnet", a.request({ aliases: ["web"], ports: [{ hostIp: "127.0.0.1", hostPort: 18080, containerPort: 80, protocol: "tcp" }] }));
    const rb = await connect(ctx, "tnet", b.request());
    expect(ra.addresses).toEqual([{ interface: "eth0", address: "10.252.0.2/24", gateway: "10.252.0.1" }]);
    expect(rb.addresses[0]!.address).toBe("10.252.0.3/24");
    expect(rb.routes).toEqual([{ dst: "0.0.0.0/0", gateway: "10.252.0.1" }]);
    expect(rb.hosts).toEqual([{ address: "10.252.0.2", names: [a.name, "web"] }]);
    must(a.netns.exec(["busybox", "ping", "-c1", "-W3", "10.252.0.1"]), "ping gateway");
    must(b.netns.exec(["busybox", "ping", "-c1", "-W3", "10.252.0.2"]), "ping peer");
    expect(readFileSync(b.hostsFile, "utf8")).toContain(`10.252.0.2\t${a.name} web`);
    expect(readFileSync(a.hostsFile, "utf8")).toContain(`10.252.0.3\t${b.name}`);
    expect(readFileSync(a.hostsFile, "utf8")).toStartWith("127.0.0.1\tlocalhost\n");
  });

  test("a published port answers on the host's 127.0.0.1", async () => {
    const srv = await server(a.netns, 80, "from-a");
    try {
      const out = must(hostns.exec([BUN, PROBE, "client", "127.0.0.1", "18080"]), "client");
      expect(out).toStartWith("from-a ");
    } finally {
      srv.kill();
    }
  });

  test("egress to an outside namespace is masqueraded behind the host's address", async () => {
    const srv = await server(outside, 9000, "outside");
    try {
      const out = must(b.netns.exec([BUN, PROBE, "client", "10.251.0.2", "9000"]), "client");
      expect(out.trim()).toBe("outside 10.251.0.1");
    } finally {
      srv.kill();
    }
  });

  test("detach frees the lease, the veth, the published port rules and the hosts entries", async () => {
    const hostVeth = readState(join(paths.dataRoot, "networks", "tnet")).endpoints[a.id]!.hostVeth;
    expect(linksMatching(new RegExp(`^${hostVeth}$`), hostns.path)).toEqual([hostVeth]);
    await disconnect(ctx, "tnet", a.id);
    assertNoPluginLeaks({ links: new RegExp(`^${hostVeth}$`), hostNetns: hostns.path, firewallTags: [containerTag(a.id)] });
    expect(Object.keys(readState(join(paths.dataRoot, "networks", "tnet")).leases)).toEqual(["10.252.0.3"]);
    expect(readFileSync(b.hostsFile, "utf8")).not.toContain(a.name);
    expect(readFileSync(a.hostsFile, "utf8")).toBe("127.0.0.1\tlocalhost\n");
    await disconnect(ctx, "tnet", a.id); // twice is fine
  });

  test("a failed attach undoes itself and the error names the plugin", async () => {
    const c = newContainer();
    // "lo" already exists in the container's netns, so the veth peer cannot take the name.
    await expect(connect(ctx, "tnet", c.request({ ifname: "lo" }))).rejects.toThrow(/^network plugin bridge: attach .* to tnet: create veth link vh[0-9a-f]+ peer lo: EEXIST/);
    const s = readState(join(paths.dataRoot, "networks", "tnet"));
    expect(s.endpoints[c.id]).toBeUndefined();
    expect(Object.values(s.leases).some((l) => l.owner === c.id)).toBe(false);
    expect(linksMatching(/^eth0$/, c.netns.path)).toEqual([]);
  });

  test("the lease of a container that died without detach is reclaimed", async () => {
    const c = newContainer();
    await connect(ctx, "tnet", c.request({ ports: [{ hostPort: 18081, containerPort: 80, protocol: "udp" }] }));
    const dir = join(paths.dataRoot, "networks", "tnet");
    expect(readState(dir).endpoints[c.id]).toBeDefined();
    c.netns.remove(); // the "crash": the netns is gone, nobody called detach
    expect(await reclaimNetwork(ctx, net)).toBeGreaterThanOrEqual(1);
    expect(readState(dir).endpoints[c.id]).toBeUndefined();
    assertNoPluginLeaks({ firewallTags: [containerTag(c.id)], hostNetns: hostns.path });
  });

  test("50 parallel attaches in 10 processes get unique addresses; detach leaves nothing", async () => {
    const many = Array.from({ length: 50 }, () => newContainer());
    const batches = Array.from({ length: 10 }, (_, i) => many.slice(i * 5, i * 5 + 5).map((c, j) => ({ id: c.id, name: c.name, netnsPath: c.netns.path, hostsFile: c.hostsFile, hostPort: 20000 + i * 5 + j })));
    const runAll = async (op: string) =>
      (
        await Promise.all(
          batches.map(async (batch) => {
            const p = Bun.spawn([BUN, WORKER, paths.root, paths.dataRoot, "tnet", op, JSON.stringify(batch)], { stdout: "pipe", stderr: "pipe" });
            const [out, err, code] = [await new Response(p.stdout).text(), await new Response(p.stderr).text(), await p.exited];
            if (code !== 0) throw new Error(`worker ${op}: exit ${code}: ${err}`);
            return JSON.parse(out) as { id: string; address?: string }[];
          }),
        )
      ).flat();
    const attached = await runAll("attach");
    const addrs = attached.map((r) => r.address);
    expect(addrs.length).toBe(50);
    expect(new Set(addrs).size).toBe(50);
    const veths = readState(join(paths.dataRoot, "networks", "tnet")).endpoints;
    expect(Object.keys(veths).length).toBe(50 + 1); // plus b
    // The hosts blocks were rewritten under the lock: every member sees all 51 peers.
    for (const c of [many[0]!, many[49]!, b]) {
      const block = readFileSync(c.hostsFile, "utf8").split("\n").filter((l) => /^10\.252\.0\.\d+\t/.test(l));
      expect(block.length).toBe(51);
    }
    await runAll("detach");
    const dir = join(paths.dataRoot, "networks", "tnet");
    const s = readState(dir);
    expect(Object.keys(s.endpoints)).toEqual([b.id]);
    const leaks = findPluginLeaks({ links: /^vh/, hostNetns: hostns.path, firewallTags: many.map((c) => containerTag(c.id)) });
    expect(leaks.filter((l) => !l.includes(readState(dir).endpoints[b.id]!.hostVeth))).toEqual([]);
    for (const c of many) c.netns.remove();
  }, 180_000);

  test("IPv6 and MTU", async () => {
    const net6 = await createNetwork(ctx, { name: "tnet6", driver: "bridge", ipv6: true, mtu: 1400, subnets: [{ subnet: "10.253.0.0/24" }, { subnet: "fd00:253::/64" }], options: { [HOST_NETNS_OPT]: hostns.path } });
    expect(net6.subnets.map((s) => s.gateway)).toEqual(["10.253.0.1", "fd00:253::1"]);
    const c = newContainer();
    const r = await connect(ctx, "tnet6", c.request());
    expect(r.addresses.map((x) => x.address)).toEqual(["10.253.0.2/24", "fd00:253::2/64"]);
    const nl = Netlink.inNetns(c.netns.path);
    expect(nl.linkGet("eth0")?.mtu).toBe(1400);
    nl.close();
    must(c.netns.exec(["busybox", "ping", "-6", "-c1", "-W3", "fd00:253::1"]), "ping6 gateway");
    await disconnect(ctx, "tnet6", c.id);
    await removeNetwork(ctx, "tnet6");
  });

  test("the iptables backend publishes and masquerades too, and removes exactly its rules", async () => {
    process.env.HUSK_FIREWALL = "iptables";
    try {
      const ctx3 = networkContext(paths.root, paths.dataRoot); // a fresh driver picks the backend again
      const n = await createNetwork(ctx3, { name: "tnet-ipt", driver: "bridge", subnets: [{ subnet: "10.250.9.0/24" }], options: { [HOST_NETNS_OPT]: hostns.path } });
      const c = newContainer();
      await connect(ctx3, "tnet-ipt", c.request({ ports: [{ hostIp: "127.0.0.1", hostPort: 18090, containerPort: 80, protocol: "tcp" }] }));
      const rules = must(hostns.exec(["iptables-save", "-t", "nat"]), "iptables-save");
      expect(rules).toContain(`--comment ${containerTag(c.id)}`);
      expect(rules).toContain(`--comment ${networkTag(n.id)}`);
      const srv = await server(c.netns, 80, "via-iptables");
      try {
        expect(must(hostns.exec([BUN, PROBE, "client", "127.0.0.1", "18090"]), "client")).toStartWith("via-iptables ");
        const osrv = await server(outside, 9001, "outside");
        try {
          expect(must(c.netns.exec([BUN, PROBE, "client", "10.251.0.2", "9001"]), "egress").trim()).toBe("outside 10.251.0.1");
        } finally {
          osrv.kill();
        }
      } finally {
        srv.kill();
      }
      await disconnect(ctx3, "tnet-ipt", c.id);
      await removeNetwork(ctx3, "tnet-ipt");
      const after = must(hostns.exec(["iptables-save", "-t", "nat"]), "iptables-save");
      expect(after).not.toContain(containerTag(c.id));
      expect(after).not.toContain(networkTag(n.id));
    } finally {
      delete process.env.HUSK_FIREWALL;
    }
  });

  test("rm refuses a network in use, then removes the bridge and its rules", async () => {
    await expect(removeNetwork(ctx, "tnet")).rejects.toThrow(/in use by 1 container/);
    await disconnect(ctx, "tnet", b.id);
    await removeNetwork(ctx, "tnet");
    const bridge = net.options["com.husk.bridge.name"]!;
    assertNoPluginLeaks({ links: new RegExp(`^(${bridge}|vh.*)$`), hostNetns: hostns.path, firewallTags: [networkTag(net.id), ...containers.map((c) => containerTag(c.id))] });
  });
});

describe.skipIf(!isRoot)("none and netns drivers", () => {
  test("none brings lo up in the container's netns", async () => {
    using p = tempPaths();
    using ns = tempNetns("husk-n");
    const ctx2 = networkContext(p.root, p.dataRoot);
    const before = Netlink.inNetns(ns.path);
    expect(before.linkGet("lo")?.up).toBe(false);
    before.close();
    await connect(ctx2, "none", { containerId: "a".repeat(64), containerName: "x", netnsPath: ns.path, pid: 0, ifname: "eth0", ports: [], aliases: [] });
    const nl = Netlink.inNetns(ns.path);
    expect(nl.linkGet("lo")?.up).toBe(true);
    expect(nl.linkList().map((l) => l.name)).toEqual(["lo"]);
    nl.close();
    await disconnect(ctx2, "none", "a".repeat(64));
  });

  test("netns:NAME joins a namespace the test made; a missing one is a clear error", async () => {
    using p = tempPaths();
    using ns = tempNetns("husk-j");
    const ctx2 = networkContext(p.root, p.dataRoot);
    expect(await sandboxFor(ctx2, `netns:${ns.name}`)).toEqual({ mode: "path", path: `/var/run/netns/${ns.name}` });
    await expect(sandboxFor(ctx2, "netns:husk-no-such-ns")).rejects.toThrow(/^network plugin netns: \/var\/run\/netns\/husk-no-such-ns is not a network namespace/);
    expect(await sandboxFor(ctx2, "host")).toEqual({ mode: "host" });
    expect(await sandboxFor(ctx2, "bridge")).toEqual({ mode: "new" });
    expect((await getNetwork(ctx2, "bridge")).subnets[0]!.subnet).toBe("172.29.0.0/16");
  });
});
