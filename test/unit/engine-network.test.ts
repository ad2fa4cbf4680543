// The network side of `husk run` without root: flag parsing, the endpoint kept in the
// record, /etc/hosts and resolv.conf, published ports and their views.
import { describe, expect, test } from "bun:test";
import { macFromIpv4, parseAddHost, parseMac, parsePublish, parsePublishes, publishAll } from "../../src/engine/flags/network.ts";
import { resolvConf } from "../../src/engine/etc-files.ts";
import { applyResult } from "../../src/engine/network-attach.ts";
import { nextInterface } from "../../src/engine/network-connect.ts";
import { composeHosts, driverBlocks } from "../../src/engine/network-etc.ts";
import { portLines, portsView, resolvePorts } from "../../src/engine/network-ports.ts";
import { emptyEndpoint } from "../../src/engine/network-types.ts";
import type { ContainerRecord } from "../../src/engine/record.ts";
import { containerSettings } from "../../src/engine/run-flags.ts";

const rejects = (fn: () => unknown, re: RegExp) => expect(fn).toThrow(re);

describe("-p/--publish", () => {
  test("docker's forms", () => {
    expect(parsePublish("8080:80")).toEqual({ "80/tcp": [{ HostIp: "", HostPort: "8080" }] });
    expect(parsePublish("127.0.0.1:8080:80/udp")).toEqual({ "80/udp": [{ HostIp: "127.0.0.1", HostPort: "8080" }] });
    expect(parsePublish("80")).toEqual({ "80/tcp": [{ HostIp: "", HostPort: "" }] });
    expect(parsePublish("127.0.0.1::80")).toEqual({ "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] });
    expect(parsePublish("[::1]:8080:80")).toEqual({ "80/tcp": [{ HostIp: "::1", HostPort: "8080" }] });
    expect(parsePublish("9000-9001:80-81")).toEqual({ "80/tcp": [{ HostIp: "", HostPort: "9000" }], "81/tcp": [{ HostIp: "", HostPort: "9001" }] });
    expect(parsePublishes(["8080:80", "8081:80"])["80/tcp"]).toHaveLength(2);
  });
  test("mistakes are one line naming the value", () => {
    rejects(() => parsePublish("8080:80/sctp"), /invalid value "8080:80\/sctp" for --publish: the protocol is tcp or udp/);
    rejects(() => parsePublish("70000:80"), /ports are 1-65535/);
    rejects(() => parsePublish("9000-9002:80-81"), /same length/);
    rejects(() => parsePublish("host:8080:80"), /not an IP address/);
    rejects(() => parsePublish("1:2:3:4"), /expected \[IP:\]/);
  });
  test("-P publishes the image's exposed ports that -p did not", () => {
    expect(publishAll({ "80/tcp": {}, "53/udp": {} }, parsePublish("8080:80"))).toEqual({
      "80/tcp": [{ HostIp: "", HostPort: "8080" }],
      "53/udp": [{ HostIp: "", HostPort: "" }],
    });
  });
});

describe("other network flags", () => {
  test("--add-host, --mac-address", () => {
    expect(parseAddHost("db:10.0.0.5")).toBe("db:10.0.0.5");
    expect(parseAddHost("db=fd00::5")).toBe("db:fd00::5");
    rejects(() => parseAddHost("db:nowhere"), /not an IP address/);
    expect(parseMac("02:42:AC:11:00:02")).toBe("02:42:ac:11:00:02");
    rejects(() => parseMac("01:00:5e:00:00:01"), /multicast/);
    expect(macFromIpv4("172.29.0.2")).toBe("02:42:ac:1d:00:02");
  });
  test("the endpoint asked for lands in the record; flags that need a network of its own are refused elsewhere", () => {
    const s = containerSettings({ network: "backend", ip: "10.89.0.9", networkAlias: ["db"], publish: ["8080:80"], dns: ["10.0.0.1"] }, {}, "bb", []);
    expect(s.hostConfig.NetworkMode).toBe("backend");
    expect(s.networks!.backend).toMatchObject({ Interface: "eth0", Aliases: ["db"], IPAMConfig: { IPv4Address: "10.89.0.9" } });
    expect(s.hostConfig.PortBindings).toEqual({ "80/tcp": [{ HostIp: "", HostPort: "8080" }] });
    expect(s.hostConfig.Dns).toEqual(["10.0.0.1"]);
    rejects(() => containerSettings({ network: "none", publish: ["80"] }, {}, "bb", []), /--publish: needs a network of its own .*not --network none/);
    rejects(() => containerSettings({ network: "container:x", ip: "10.0.0.1" }, {}, "bb", []), /--ip/);
    rejects(() => containerSettings({ ip: "10.0.0.1" }, {}, "bb", []), /a static address needs a user-defined network/);
    expect(containerSettings({ network: "host", publish: ["80"] }, {}, "bb", []).hostConfig.PortBindings).toEqual({});
    rejects(() => containerSettings({ publish: ["[::1]:8080:80"] }, {}, "bb", []), /IPv4 host addresses only/);
  });
});

describe("/etc files", () => {
  const rec = {
    id: "a".repeat(64),
    config: { Hostname: "" },
    hostConfig: { ExtraHosts: ["db:10.0.0.5"] },
    networks: { backend: { ...emptyEndpoint("n", "bridge", "eth0", [], {}), IPAddress: "10.89.0.2" } },
  } as unknown as ContainerRecord;
  test("own address with the host name, --add-host, and the drivers' blocks kept", () => {
    const current = "old\n# husk network backend begin\n10.89.0.3\tpeer\n# husk network backend end\n";
    const text = composeHosts(rec, current);
    expect(text).toStartWith("127.0.0.1\tlocalhost\n");
    expect(text).toContain("10.0.0.5\tdb\n");
    expect(text).toContain(`10.89.0.2\t${"a".repeat(12)}\n`);
    expect(text).not.toContain("127.0.1.1");
    expect(text).not.toContain("old");
    expect(text).toEndWith("# husk network backend begin\n10.89.0.3\tpeer\n# husk network backend end\n");
    expect(driverBlocks(text)).toHaveLength(1);
  });
  test("--dns, --dns-search, --dns-option replace the host's lines of their kind", () => {
    const host = "search corp.example\nnameserver 127.0.0.53\nnameserver 10.1.1.1\noptions edns0\n";
    expect(resolvConf({ hostname: "h", hostNetwork: false, hostResolv: host })).toBe("search corp.example\nnameserver 10.1.1.1\noptions edns0\n");
    expect(resolvConf({ hostname: "h", hostNetwork: false, hostResolv: host, net: { dns: ["10.0.0.2"], dnsOptions: ["ndots:2"] } })).toBe(
      "search corp.example\nnameserver 10.0.0.2\noptions ndots:2\n",
    );
    expect(resolvConf({ hostname: "h", hostNetwork: false, hostResolv: host, net: { dnsSearch: ["."] } })).toBe("nameserver 10.1.1.1\noptions edns0\n");
  });
});

describe("ports and endpoints", () => {
  test("free host ports are picked for -p 80 and -P; views as docker prints them", async () => {
    const mapped = await resolvePorts({ "80/tcp": [{ HostIp: "", HostPort: "" }], "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }] }, async () => 40000);
    expect(mapped).toEqual([
      { hostPort: 40000, containerPort: 80, protocol: "tcp" },
      { hostIp: "127.0.0.1", hostPort: 5353, containerPort: 53, protocol: "udp" },
    ]);
    expect(portsView({ "80/tcp": {}, "443/tcp": {} }, mapped)).toEqual({
      "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "40000" }],
      "443/tcp": null,
      "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }],
    });
    expect(portLines(mapped)).toEqual(["80/tcp -> 0.0.0.0:40000", "53/udp -> 127.0.0.1:5353"]);
    expect(portLines(mapped, "80")).toEqual(["0.0.0.0:40000"]);
  });
  test("a real free port comes from the kernel", async () => {
    const p = (await resolvePorts({ "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] }))[0]!;
    expect(p.hostPort).toBeGreaterThan(1023);
  });
  test("attach results fill the endpoint; interfaces are numbered", () => {
    const ep = emptyEndpoint("n", "bridge", "eth0", [], {});
    applyResult(ep, { interfaces: [{ name: "eth0", hostName: "vh0123456789a" }], addresses: [{ interface: "eth0", address: "10.89.0.2/24", gateway: "10.89.0.1" }], routes: [] }, []);
    expect(ep).toMatchObject({ EndpointID: "vh0123456789a", IPAddress: "10.89.0.2", IPPrefixLen: 24, Gateway: "10.89.0.1", MacAddress: "02:42:0a:59:00:02" });
    expect(nextInterface({ a: ep, b: { ...ep, Interface: "eth2" } })).toBe("eth1");
  });
});
