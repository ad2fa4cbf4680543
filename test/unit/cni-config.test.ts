// Loading CNI configurations (libcni's order and precedence), reading results of every
// spec version, the driver's options, and the result cache, on temp dirs without root.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { confFiles, loadConfigs, loadNetwork, parseConfList } from "../../src/network/cni/config-files.ts";
import { ResultCache, type CacheEntry } from "../../src/network/cni/cache.ts";
import { parseErrorJson, toAttachResult, toCurrent } from "../../src/network/cni/result.ts";
import { completeOptions, settingsOf } from "../../plugins/network/cni/options.ts";
import { ipamSubnets } from "../../plugins/network/cni/index.ts";

const base = mkdtempSync(join(tmpdir(), `husk-test-${process.pid}-cniconf-`));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
function confDir(files: Record<string, unknown>): string {
  const d = join(base, `d${++n}`);
  mkdirSync(d);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(d, name), typeof body === "string" ? body : JSON.stringify(body));
  return d;
}
const list = (name: string, type = "bridge", extra = {}) => ({ cniVersion: "1.0.0", name, plugins: [{ type, ...extra }] });

describe("CNI config files", () => {
  test("only .conflist, .conf and .json files, sorted by name", () => {
    const d = confDir({ "20-b.conflist": list("b"), "10-a.conf": { cniVersion: "0.4.0", name: "a", type: "ptp" }, "05-c.json": { name: "c", type: "ptp" }, "99-x.yaml": "x", "README": "y" });
    mkdirSync(join(d, "00-dir.conflist"));
    expect(confFiles(d, [".conflist", ".conf", ".json"]).map((f) => f.slice(d.length + 1))).toEqual(["05-c.json", "10-a.conf", "20-b.conflist"]);
    expect(confFiles(join(d, "missing"), [".conf"])).toEqual([]);
  });

  test("a list wins over a single conf of the same name; the first file in name order wins among lists", () => {
    const d = confDir({ "01-web.conf": { cniVersion: "0.4.0", name: "web", type: "ptp" }, "30-web.conflist": list("web", "macvlan"), "20-web.conflist": list("web", "bridge") });
    const got = loadNetwork(d, "web");
    expect(got.plugins.map((p) => p.type)).toEqual(["bridge"]);
    expect(got.source).toBe(join(d, "20-web.conflist"));
  });

  test("a single conf is wrapped into a list of one; a missing cniVersion reads as 0.1.0", () => {
    const d = confDir({ "10-a.conf": { name: "a", type: "ptp", ipam: { type: "host-local", subnet: "10.1.0.0/24" } } });
    expect(loadNetwork(d, "a")).toEqual({ cniVersion: "0.1.0", name: "a", plugins: [{ name: "a", type: "ptp", ipam: { type: "host-local", subnet: "10.1.0.0/24" } }], source: join(d, "10-a.conf") });
  });

  test("broken files do not hide good ones, and are named when the wanted network is missing", () => {
    const d = confDir({ "10-bad.conflist": "{not json", "11-noplugins.conflist": { cniVersion: "1.0.0", name: "x", plugins: [] }, "20-good.conflist": list("good") });
    const found = loadConfigs(d);
    expect(found.lists.map((l) => l.name)).toEqual(["good"]);
    expect(found.broken.map((b) => b.file.slice(d.length + 1))).toEqual(["10-bad.conflist", "11-noplugins.conflist"]);
    expect(() => loadNetwork(d, "web")).toThrow(new RegExp(`^no CNI network "web" in ${d} \\(found: good\\); unreadable: .*10-bad.conflist: not valid JSON`));
  });

  test("fields are checked with the file and the field named", () => {
    expect(() => parseConfList(JSON.stringify({ cniVersion: "1.0.0", name: "-bad", plugins: [{ type: "x" }] }), "f")).toThrow('f: "name" must be a network name');
    expect(() => parseConfList(JSON.stringify({ name: "a", plugins: [{ type: "x" }] }), "f")).toThrow('f: "cniVersion" is missing');
    expect(() => parseConfList(JSON.stringify({ cniVersion: "1.0.0", name: "a", plugins: [{ type: "../x" }] }), "f")).toThrow('f: plugins[0]: "type" must name a plugin executable');
    expect(parseConfList(JSON.stringify({ cniVersion: "1.0.0", name: "a", disableCheck: "true", plugins: [{ type: "x" }] }), "f").disableCheck).toBe(true);
  });
});

describe("CNI results", () => {
  const r100 = {
    cniVersion: "1.0.0",
    interfaces: [{ name: "cni0", mac: "aa" }, { name: "veth1", mac: "bb" }, { name: "eth0", mac: "cc", sandbox: "/run/netns/x" }],
    ips: [{ address: "10.1.0.2/24", gateway: "10.1.0.1", interface: 2 }, { address: "fd00::2/64", interface: 2 }],
    routes: [{ dst: "0.0.0.0/0" }, { dst: "10.9.0.0/16", gw: "10.1.0.254" }],
    dns: { nameservers: ["10.1.0.1"], domain: "example.test" },
  };

  test("a 1.0 result becomes the plugin API's AttachResult: container interfaces, the veth as host name", () => {
    expect(toAttachResult(toCurrent(r100, "1.0.0"), "eth0")).toEqual({
      interfaces: [{ name: "eth0", mac: "cc", hostName: "veth1" }],
      addresses: [{ interface: "eth0", address: "10.1.0.2/24", gateway: "10.1.0.1" }, { interface: "eth0", address: "fd00::2/64", gateway: undefined }],
      routes: [{ dst: "0.0.0.0/0", gateway: undefined }, { dst: "10.9.0.0/16", gateway: "10.1.0.254" }],
      dns: { nameservers: ["10.1.0.1"], search: ["example.test"], options: [] },
    });
  });

  test("a 0.2.0 result (ip4/ip6) is converted", () => {
    const old = { cniVersion: "0.2.0", ip4: { ip: "10.2.0.5/16", gateway: "10.2.0.1", routes: [{ dst: "0.0.0.0/0" }] }, ip6: { ip: "fd02::5/64" } };
    const cur = toCurrent(old, "0.2.0");
    expect(cur).toEqual({ cniVersion: "0.2.0", ips: [{ address: "10.2.0.5/16", gateway: "10.2.0.1" }, { address: "fd02::5/64", gateway: undefined }], routes: [{ dst: "0.0.0.0/0", gw: undefined }], dns: undefined });
    expect(toAttachResult(cur, "eth1").addresses.map((a) => `${a.interface} ${a.address}`)).toEqual(["eth1 10.2.0.5/16", "eth1 fd02::5/64"]);
    expect(toAttachResult(cur, "eth1").interfaces).toEqual([{ name: "eth1" }]);
  });

  test("host-side addresses are not reported as the container's", () => {
    const r = { cniVersion: "1.0.0", interfaces: [{ name: "cni0" }, { name: "eth0", sandbox: "/x" }], ips: [{ address: "10.1.0.1/24", interface: 0 }, { address: "10.1.0.7/24", interface: 1 }] };
    expect(toAttachResult(toCurrent(r, "1.0.0"), "eth0").addresses.map((a) => a.address)).toEqual(["10.1.0.7/24"]);
  });

  test("error JSON is recognised only with a numeric code and a msg", () => {
    expect(parseErrorJson('{"code": 3, "msg": "gone", "details": "d"}')).toEqual({ code: 3, msg: "gone", details: "d", cniVersion: undefined });
    expect(parseErrorJson('{"code": "3", "msg": "x"}')).toBeUndefined();
    expect(parseErrorJson("plain text")).toBeUndefined();
  });
});

describe("cni driver options and cache", () => {
  test("defaults come from the environment, then the standard dirs; unknown options and bad timeouts are refused", () => {
    expect(completeOptions("web", {}, {})).toEqual({ "com.husk.cni.name": "web", "com.husk.cni.conf-dir": "/etc/cni/net.d", "com.husk.cni.bin-dir": "/opt/cni/bin:/usr/lib/cni", "com.husk.cni.timeout": "60" });
    expect(completeOptions("web", { "com.husk.cni.name": "other" }, { HUSK_CNI_CONF_DIR: "/c", HUSK_CNI_PATH: "/b1:/b2" })).toMatchObject({ "com.husk.cni.name": "other", "com.husk.cni.conf-dir": "/c", "com.husk.cni.bin-dir": "/b1:/b2" });
    expect(() => completeOptions("web", { subnet: "x" }, {})).toThrow(/^unknown option subnet/);
    expect(() => completeOptions("web", { "com.husk.cni.timeout": "0" }, {})).toThrow("expected a number of seconds above 0");
    const s = settingsOf({ id: "i", name: "web", driver: "cni", created: "", subnets: [], ipv6: false, internal: false, labels: {}, options: { "com.husk.cni.bin-dir": "/x::/y", "com.husk.cni.timeout": "2.5" } });
    expect(s).toMatchObject({ cniName: "web", binDirs: ["/x", "/y"], timeoutMs: 2500 });
  });

  test("subnets for ls/inspect come from host-local's ranges or subnet", () => {
    const l = parseConfList(JSON.stringify({ cniVersion: "1.0.0", name: "a", plugins: [{ type: "bridge", ipam: { type: "host-local", ranges: [[{ subnet: "10.5.0.0/24", gateway: "10.5.0.1" }], [{ subnet: "fd05::/64" }]] } }, { type: "ptp", ipam: { subnet: "10.6.0.0/24" } }] }), "f");
    expect(ipamSubnets(l)).toEqual([{ subnet: "10.5.0.0/24", gateway: "10.5.0.1" }, { subnet: "fd05::/64", gateway: undefined }, { subnet: "10.6.0.0/24", gateway: undefined }]);
  });

  test("the cache round-trips an entry under libcni's file name, lists by network, and refuses path tricks", () => {
    const c = new ResultCache(join(base, "cache"));
    const e: CacheEntry = { kind: "huskCniCacheV1", network: "web", owner: "n1", containerId: "c1", ifName: "eth0", netns: "/x", config: { cniVersion: "1.0.0", name: "web", plugins: [{ type: "bridge" }] }, args: [], capabilityArgs: {}, result: { cniVersion: "1.0.0" }, created: "t" };
    c.put(e);
    c.put({ ...e, network: "webby", containerId: "c2" });
    expect(readdirSync(join(base, "cache")).sort()).toEqual(["web-c1-eth0", "webby-c2-eth0"]);
    expect(c.get("web", "c1", "eth0")).toEqual(e);
    expect(c.list("web").map((x) => x.containerId)).toEqual(["c1"]);
    expect(() => c.put({ ...e, containerId: "../../etc" })).toThrow(/not a plain name/);
    c.remove("web", "c1", "eth0");
    c.remove("web", "c1", "eth0");
    expect(c.get("web", "c1", "eth0")).toBeUndefined();
  });
});
