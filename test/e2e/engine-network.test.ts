// `husk run` on networks, through the compiled binary. husk runs inside a network
// namespace this suite made (engineEnv: nsenter --net), which stands in for the host: the
// default bridge husk0, user-defined bridges, their firewall rules and published ports
// all live there. "outside" is a second test namespace reached through masquerade. No
// traffic leaves the machine, and the host's own husk0 and firewall are never touched.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { containerTag } from "../../src/network/firewall/types.ts";
import { readState } from "../../src/network/network-state.ts";
import { findPluginLeaks, linksMatching, type TempNetns, tempNetns } from "../../src/plugin/testkit.ts";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { type EngineEnv, engineEnv, IMAGE } from "./support/engine.ts";

const BUN = resolve(import.meta.dir, "../../node_modules/.bin/bun");
const PROBE = resolve(import.meta.dir, "../integration/support/tcp-probe.ts");
const COUNT = Number(process.env.HUSK_NET_SOAK_COUNT ?? 50);

let env: EngineEnv;
let outside: TempNetns;
let before: HostSnapshot;
const husk = (...args: string[]) => env.husk(args);

function ok(args: string[]): string {
  const r = env.husk(args);
  if (r.exitCode !== 0) throw new Error(`husk ${args.join(" ")}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}
/** docker-style run flags shared by every container here. */
const run = (...args: string[]) => ["run", "--cgroup-parent", env.cgroupParent, ...args];
const inspect = (ref: string) => JSON.parse(ok(["inspect", ref]))[0];
const netState = (name: string) => readState(join(env.dataRoot, "networks", name));
const hostVeths = () => linksMatching(/^vh[0-9a-f]{11}$/, env.netns.path);
/** Runs a command in the suite's "host" namespace. */
const onHost = (argv: string[]) => env.netns.exec(argv);

beforeAll(async () => {
  before = snapshotHost();
  env = await engineEnv("engine-net");
  outside = tempNetns("husk-eo");
  const must = (r: { exitCode: number; stderr: string }, what: string) => {
    if (r.exitCode !== 0) throw new Error(`${what}: ${r.stderr}`);
  };
  // "host" <-> outside: a point-to-point link; the host side masquerades the bridges.
  must(onHost(["ip", "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", outside.name]), "uplink");
  must(onHost(["ip", "addr", "add", "10.241.0.1/30", "dev", "up0"]), "uplink addr");
  must(onHost(["ip", "link", "set", "up0", "up"]), "uplink up");
  must(outside.exec(["ip", "addr", "add", "10.241.0.2/30", "dev", "eth0"]), "outside addr");
  must(outside.exec(["ip", "link", "set", "eth0", "up"]), "outside up");
  ok(["network", "create", "--subnet", "10.253.0.0/24", "tnet"]);
});

afterAll(() => {
  env?.cleanup();
  outside?.remove();
  removeTestCgroups("engine-net");
  assertNoLeaks(before, { settleMs: 5000 });
});

describe("the default bridge", () => {
  test("run without --network: eth0 on husk0 with an address, a default route, /etc/hosts naming it", () => {
    const out = ok(run("--rm", "--hostname", "box", IMAGE, "sh", "-c", "ip -4 -o addr show eth0; ip route; cat /etc/hosts; cat /sys/class/net/eth0/address"));
    const ip = /inet (172\.29\.\d+\.\d+)\/16/.exec(out)?.[1];
    expect(ip).toBeDefined();
    expect(out).toContain("default via 172.29.0.1 dev eth0");
    expect(out).toContain(`${ip}\tbox\n`);
    expect(out).toContain("127.0.0.1\tlocalhost\n");
    const octets = ip!.split(".").map((o) => Number(o).toString(16).padStart(2, "0"));
    expect(out.trim().split("\n").at(-1)).toBe(`02:42:${octets.join(":")}`);
    // husk0 is in the suite's namespace, and --rm gave the address back.
    expect(linksMatching(/^husk0$/, env.netns.path)).toEqual(["husk0"]);
    expect(netState("bridge").leases).toEqual({});
  });

  test("--dns, --dns-search, --dns-option and --add-host reach resolv.conf and hosts", () => {
    const out = ok(run("--rm", "--dns", "10.9.9.9", "--dns-search", "corp.test", "--dns-option", "ndots:2", "--add-host", "db:10.1.2.3", IMAGE, "sh", "-c", "cat /etc/resolv.conf /etc/hosts"));
    expect(out).toContain("search corp.test\nnameserver 10.9.9.9\noptions ndots:2\n");
    expect(out).toContain("10.1.2.3\tdb\n");
  });
});

describe("a user-defined network", () => {
  test("containers reach each other by name and alias; inspect shows the endpoint", () => {
    const id = ok(run("-d", "--name", "web", "--network", "tnet", "--network-alias", "www", "-p", "127.0.0.1:18090:80", IMAGE, "sh", "-c", "mkdir /w && echo hello-from-web > /w/index.html && exec httpd -f -p 80 -h /w")).trim();
    const info = inspect(id);
    const ep = info.NetworkSettings.Networks.tnet;
    expect(ep.IPAddress).toMatch(/^10\.253\.0\.\d+$/);
    expect(ep.Gateway).toBe("10.253.0.1");
    expect(ep.IPPrefixLen).toBe(24);
    expect(ep.Aliases).toEqual(["www"]);
    expect(info.NetworkSettings.IPAddress).toBe(ep.IPAddress);
    expect(info.NetworkSettings.MacAddress).toBe(ep.MacAddress);
    expect(info.NetworkSettings.Ports).toEqual({ "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "18090" }] });
    expect(ok(["port", "web"])).toBe("80/tcp -> 127.0.0.1:18090\n");
    expect(ok(["port", "web", "80"])).toBe("127.0.0.1:18090\n");
    const out = ok(run("--rm", "--network", "tnet", "--name", "client", IMAGE, "sh", "-c", "wget -q -O - http://web/ && wget -q -O - http://www/ && ping -c1 -W3 web >/dev/null && echo pinged && grep web /etc/hosts"));
    expect(out).toBe(`hello-from-web\nhello-from-web\npinged\n${ep.IPAddress}\tweb www\n`);
  });

  test("a published port answers on the host's 127.0.0.1", () => {
    const r = onHost(["busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:18090/"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("hello-from-web\n");
  });

  test("egress to an outside namespace goes through masquerade", async () => {
    const srv = outside.spawn([BUN, PROBE, "server", "9000", "outside"]);
    try {
      const reader = (srv.stdout as ReadableStream<Uint8Array>).getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain("ready");
      const out = ok(run("--rm", "--network", "tnet", IMAGE, "nc", "10.241.0.2", "9000"));
      expect(out.trim()).toBe("outside 10.241.0.1"); // the host's uplink address, not the container's
    } finally {
      srv.kill();
    }
  });

  test("a static --ip, and network connect/disconnect add and remove eth1", () => {
    ok(["network", "create", "--subnet", "10.254.0.0/24", "tnet2"]);
    const id = ok(run("-d", "--name", "multi", "--network", "tnet", "--ip", "10.253.0.77", IMAGE, "sleep", "1000")).trim();
    expect(ok(["exec", id, "ip", "-4", "-o", "addr", "show", "eth0"])).toContain("inet 10.253.0.77/24");
    ok(["network", "connect", "--alias", "m2", "tnet2", "multi"]);
    expect(ok(["exec", id, "ip", "-4", "-o", "addr", "show", "eth1"])).toMatch(/inet 10\.254\.0\.\d+\/24/);
    const nets = inspect(id).NetworkSettings.Networks;
    expect(Object.keys(nets).sort()).toEqual(["tnet", "tnet2"]);
    expect(nets.tnet2.Aliases).toEqual(["m2"]);
    expect(ok(["exec", id, "cat", "/etc/hosts"])).toContain(`${nets.tnet2.IPAddress}\tmulti m2`);
    ok(["network", "disconnect", "tnet2", "multi"]);
    expect(husk("exec", id, "ip", "link", "show", "eth1").exitCode).not.toBe(0);
    expect(netState("tnet2").leases).toEqual({});
    expect(Object.keys(inspect(id).NetworkSettings.Networks)).toEqual(["tnet"]);
    expect(husk("network", "rm", "tnet2").exitCode).toBe(0);
  });

  test("rm frees the lease, the veth and the port rules", () => {
    const id = inspect("web").Id;
    const veth = inspect("web").NetworkSettings.Networks.tnet.EndpointID;
    expect(hostVeths()).toContain(veth);
    ok(["rm", "-f", "web", "multi"]);
    expect(netState("tnet").leases).toEqual({});
    expect(netState("tnet").endpoints).toEqual({});
    expect(findPluginLeaks({ firewallTags: [containerTag(id)], hostNetns: env.netns.path })).toEqual([]);
    expect(onHost(["busybox", "wget", "-q", "-T", "2", "-O", "-", "http://127.0.0.1:18090/"]).exitCode).not.toBe(0);
  });
});

describe("failures and other drivers", () => {
  test("an attach failure is one line naming the plugin, and leaves nothing", () => {
    const r = husk(...run("--rm", "--network", "tnet", "--ip", "10.253.0.1", IMAGE, "true"));
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/^husk: network plugin bridge: attach \S+ to tnet: address 10\.253\.0\.1 is already in use \(hint: .*\)\n$/);
    expect(ok(["ps", "-aq"])).toBe("");
    expect(netState("tnet").leases).toEqual({});
    expect(readdirSync(join(env.root, "netns"))).toEqual([]);
  });

  test("an unknown network fails at create, before anything is made", () => {
    const r = husk(...run("--network", "nosuch", IMAGE, "true"));
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/^husk: network "nosuch" not found/);
    expect(ok(["ps", "-aq"])).toBe("");
  });

  test("--network netns:NAME joins a namespace the test made", () => {
    using ns = tempNetns("husk-en");
    expect(ns.exec(["ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1"]).exitCode).toBe(0);
    expect(ns.exec(["ip", "addr", "add", "10.244.1.1/24", "dev", "d0"]).exitCode).toBe(0);
    const out = ok(run("--rm", "--network", `netns:${ns.name}`, IMAGE, "ip", "-4", "-o", "addr"));
    expect(out).toContain("inet 10.244.1.1/24");
  });

  test("-p with --network none is refused", () => {
    const r = husk(...run("--rm", "--network", "none", "-p", "80", IMAGE, "true"));
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/--publish: needs a network of its own/);
  });
});

test(`${COUNT} parallel runs on one bridge: unique addresses; after rm -f nothing is left`, async () => {
  const par = (argvs: string[][]) =>
    Promise.all(
      argvs.map(async (args) => {
        const p = Bun.spawn(env.argv(args), { stdout: "pipe", stderr: "pipe" });
        const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
        return { code, out, err };
      }),
    );
  const started = await par(Array.from({ length: COUNT }, (_, i) => run("-d", "--name", `p${i}`, "--network", "tnet", "-p", `${20000 + i}:80`, IMAGE, "sleep", "1000")));
  for (const r of started) expect(`${r.code} ${r.err}`).toBe("0 ");
  const ids = started.map((r) => r.out.trim());
  const s = netState("tnet");
  expect(new Set(Object.keys(s.leases)).size).toBe(COUNT);
  expect(Object.keys(s.endpoints).sort()).toEqual([...ids].sort());
  expect(hostVeths().length).toBe(COUNT);
  const removed = await par(ids.map((id) => ["rm", "-f", id]));
  for (const r of removed) expect(`${r.code} ${r.err}`).toBe("0 ");
  expect(netState("tnet").leases).toEqual({});
  expect(readdirSync(join(env.root, "netns"))).toEqual([]);
  expect(findPluginLeaks({ firewallTags: ids.map(containerTag), hostNetns: env.netns.path })).toEqual([]);
  // The veths go with their namespaces, which the kernel tears down in the background.
  const deadline = Date.now() + 10_000;
  while (hostVeths().length && Date.now() < deadline) Bun.sleepSync(50);
  expect(hostVeths()).toEqual([]);
}, 600_000);
