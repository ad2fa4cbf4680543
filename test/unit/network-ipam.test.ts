import { describe, expect, test } from "bun:test";
import { formatCidr, formatIp, overlaps, parseCidr, parseIp } from "../../src/network/cidr.ts";
import { checkStatic, makePool, pickFree, usable } from "../../src/network/ipam.ts";
import { replaceBlock } from "../../src/network/hosts-file.ts";

describe("cidr", () => {
  test("parses and formats IPv4 and IPv6 (RFC 5952 compression)", () => {
    expect(formatIp(4, parseIp("10.1.2.3")!.value)).toBe("10.1.2.3");
    expect(parseIp("256.1.1.1")).toBeNull();
    expect(formatIp(6, parseIp("fd00:0:0:0:0:0:0:1")!.value)).toBe("fd00::1");
    expect(formatIp(6, parseIp("2001:db8:0:1:0:0:0:1")!.value)).toBe("2001:db8:0:1::1");
    expect(formatIp(6, parseIp("::")!.value)).toBe("::");
    expect(parseIp("1::2::3")).toBeNull();
    expect(formatCidr(parseCidr("10.1.2.3/24")!)).toBe("10.1.2.0/24");
    expect(formatCidr(parseCidr("fd68:7573:6b00:0::/64")!)).toBe("fd68:7573:6b00::/64");
    expect(parseCidr("10.0.0.0/33")).toBeNull();
    expect(parseCidr("10.0.0.0")).toBeNull();
  });
  test("overlap", () => {
    expect(overlaps(parseCidr("10.0.0.0/16")!, parseCidr("10.0.5.0/24")!)).toBe(true);
    expect(overlaps(parseCidr("10.0.0.0/24")!, parseCidr("10.0.1.0/24")!)).toBe(false);
    expect(overlaps(parseCidr("10.0.0.0/8")!, parseCidr("fd00::/8")!)).toBe(false);
  });
});

describe("ipam", () => {
  const pool = makePool({ subnet: "10.9.0.0/29", gateway: "10.9.0.1" });
  test("never hands out the network, broadcast or gateway address", () => {
    expect(usable(pool, parseIp("10.9.0.0")!.value)).toBe(false);
    expect(usable(pool, parseIp("10.9.0.1")!.value)).toBe(false);
    expect(usable(pool, parseIp("10.9.0.7")!.value)).toBe(false);
    expect(usable(pool, parseIp("10.9.0.6")!.value)).toBe(true);
  });
  test("hands out addresses in order after the last one, wrapping, until the pool is full", () => {
    const taken = new Set<string>();
    const got: string[] = [];
    let last: string | undefined;
    for (;;) {
      const ip = pickFree(pool, taken, last);
      if (!ip) break;
      taken.add(ip);
      got.push(ip);
      last = ip;
    }
    expect(got).toEqual(["10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5", "10.9.0.6"]);
    taken.delete("10.9.0.3");
    expect(pickFree(pool, taken, "10.9.0.6")).toBe("10.9.0.3");
  });
  test("a freed address is not reused at once", () => {
    expect(pickFree(pool, new Set(["10.9.0.2"]), "10.9.0.3")).toBe("10.9.0.4");
  });
  test("ip-range limits the leases; ranges and gateways outside the subnet are refused", () => {
    const ranged = makePool({ subnet: "10.9.0.0/24", gateway: "10.9.0.1", ipRange: "10.9.0.128/25" });
    expect(pickFree(ranged, new Set())).toBe("10.9.0.128");
    expect(() => makePool({ subnet: "10.9.0.0/24", ipRange: "10.8.0.0/25" })).toThrow("ip range 10.8.0.0/25 is not inside subnet 10.9.0.0/24");
    expect(() => makePool({ subnet: "10.9.0.0/24", gateway: "10.8.0.1" })).toThrow("gateway 10.8.0.1 is not inside subnet 10.9.0.0/24");
    expect(() => makePool({ subnet: "nope" })).toThrow('subnet "nope" is not a CIDR prefix');
  });
  test("IPv6 pools", () => {
    const v6 = makePool({ subnet: "fd00:1::/64", gateway: "fd00:1::1" });
    expect(pickFree(v6, new Set())).toBe("fd00:1::2");
    expect(checkStatic(v6, "fd00:1:0::9", new Set())).toBe("fd00:1::9");
  });
  test("static addresses: inside, free, not the gateway", () => {
    expect(() => checkStatic(pool, "10.9.0.3", new Set(["10.9.0.3"]))).toThrow("address 10.9.0.3 is already in use");
    expect(() => checkStatic(pool, "10.9.0.1", new Set())).toThrow("already in use");
    expect(() => checkStatic(pool, "10.10.0.3", new Set())).toThrow("is not inside subnet 10.9.0.0/29");
  });
});

describe("hosts file block", () => {
  test("adds, replaces and removes only its own block", () => {
    const base = "127.0.0.1\tlocalhost\n";
    const one = replaceBlock(base, "n1", ["10.0.0.2\ta"]);
    expect(one).toBe("127.0.0.1\tlocalhost\n# husk network n1 begin\n10.0.0.2\ta\n# husk network n1 end\n");
    const two = replaceBlock(one, "n2", ["10.1.0.2\tb"]);
    expect(replaceBlock(two, "n1", ["10.0.0.3\tc"])).toBe("127.0.0.1\tlocalhost\n# husk network n2 begin\n10.1.0.2\tb\n# husk network n2 end\n# husk network n1 begin\n10.0.0.3\tc\n# husk network n1 end\n");
    expect(replaceBlock(replaceBlock(two, "n1", []), "n2", [])).toBe(base);
  });
});
