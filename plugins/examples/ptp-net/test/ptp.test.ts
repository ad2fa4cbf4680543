// ptp-net's own tests, as an outside author writes them: the plugin is loaded from disk
// the way husk loads it, and the husk test kit provides namespaces and leak checks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import type { NetworkConfig, NetworkDriver } from "../../../../src/plugin/api.ts";
import { PluginRegistry } from "../../../../src/plugin/registry.ts";
import { assertNoPluginLeaks, fakeContainer, linksMatching, tempNetns, tempPaths, type FakeContainer, type TempNetns, type TestPaths } from "../../../../src/plugin/testkit.ts";

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)("ptp-net", () => {
  let paths: TestPaths;
  let hostns: TempNetns;
  let driver: NetworkDriver;
  let net: NetworkConfig;
  const made: FakeContainer[] = [];

  beforeAll(async () => {
    paths = tempPaths();
    hostns = tempNetns("husk-p");
    const registry = new PluginRegistry({ root: paths.root, dataRoot: paths.dataRoot }, [resolve(import.meta.dir, "../..")]);
    driver = await registry.networkDriver("ptp-net");
    net = await driver.createNetwork({ id: "a".repeat(64), name: "p2p", builtin: false, subnets: [{ subnet: "10.213.0.0/29" }], ipv6: false, internal: false, options: { "host-netns": hostns.path }, usedSubnets: [] });
  });
  afterAll(() => {
    for (const c of made) c.netns.remove();
    hostns?.remove();
    paths?.remove();
  });

  test("husk finds it on the search path", async () => {
    const registry = new PluginRegistry({ root: paths.root, dataRoot: paths.dataRoot }, [resolve(import.meta.dir, "../..")]);
    const entry = await registry.find("ptp-net");
    expect(entry.source).toBe(resolve(import.meta.dir, "../index.ts"));
    expect(entry.manifest.apiVersion).toBe("1.0");
  });

  test("each container gets a /30 and reaches its host end", async () => {
    const a = fakeContainer(paths.dataRoot);
    const b = fakeContainer(paths.dataRoot);
    made.push(a, b);
    const ra = await driver.attach(net, a.request());
    const rb = await driver.attach(net, b.request());
    expect(ra.addresses).toEqual([{ interface: "eth0", address: "10.213.0.2/30", gateway: "10.213.0.1" }]);
    expect(rb.addresses).toEqual([{ interface: "eth0", address: "10.213.0.6/30", gateway: "10.213.0.5" }]);
    const ping = a.netns.exec(["busybox", "ping", "-c1", "-W3", "10.213.0.1"]);
    expect(ping.exitCode).toBe(0);
  });

  test("a full network is refused with the plugin's name, and leaves nothing behind", async () => {
    const c = fakeContainer(paths.dataRoot);
    made.push(c);
    await expect(driver.attach(net, c.request())).rejects.toThrow("network plugin ptp-net: network p2p is full (2 containers)");
    expect(linksMatching(/^eth0$/, c.netns.path)).toEqual([]);
  });

  test("a failed veth undoes the slot; detach twice is fine; nothing leaks", async () => {
    const [a, b] = made;
    await driver.detach(net, { containerId: b!.id, ifname: "eth0" });
    const c = made[2]!;
    await expect(driver.attach(net, c.request({ ifname: "lo" }))).rejects.toThrow(/^network plugin ptp-net: attach .*EEXIST/);
    expect(Object.keys((await driver.inspect!(net)).containers as object)).toEqual([a!.id]);
    await driver.detach(net, { containerId: a!.id, ifname: "eth0" });
    await driver.detach(net, { containerId: a!.id, ifname: "eth0" });
    await driver.deleteNetwork(net);
    assertNoPluginLeaks({ links: /^pp/, hostNetns: hostns.path });
  });
});
