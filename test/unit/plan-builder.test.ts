import { describe, expect, test } from "bun:test";
import { hostCgroups } from "../../src/runtime/cgroup-paths.ts";
import { buildPlan, capabilityMask, type PlanInput } from "../../src/runtime/plan-builder.ts";
import { Tag } from "../../src/runtime/plan-tags.ts";
import type { Spec } from "../../src/oci/spec.ts";

type Rec = { tag: number; bytes: Uint8Array };
function records(buf: Uint8Array): Rec[] {
  const out: Rec[] = [];
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let off = 0; off < buf.length; ) {
    const tag = v.getUint16(off, true);
    const len = v.getUint32(off + 2, true);
    out.push({ tag, bytes: buf.subarray(off + 6, off + 6 + len) });
    off += 6 + len;
  }
  return out;
}
const str = (r: Rec) => new TextDecoder().decode(r.bytes);
const int = (r: Rec) => new DataView(r.bytes.buffer, r.bytes.byteOffset, 8).getBigUint64(0, true);
const all = (buf: Uint8Array, tag: number) => records(buf).filter((r) => r.tag === tag);

const hybridHost = hostCgroups({
  mounts: "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n",
  cgroup: "1:memory:/\n0::/\n",
});

function input(spec: Partial<Spec>, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    id: "c1",
    spec: { ociVersion: "1.2.0", root: { path: "rootfs" }, process: { cwd: "/", args: ["/bin/true"] }, linux: { namespaces: [{ type: "mount" }, { type: "pid" }] }, ...spec },
    bundle: "/b",
    rootfs: "/b/rootfs",
    detach: false,
    cgroup: { dirs: ["/sys/fs/cgroup/memory/x"], v2Dir: "/sys/fs/cgroup/unified/x" },
    cgroupMode: "hybrid",
    hostCgroups: hybridHost,
    stateJson: "{}",
    ...extra,
  };
}

describe("buildPlan", () => {
  test("new namespaces carry their clone flag; joined ones their path", () => {
    const plan = buildPlan(input({ linux: { namespaces: [{ type: "mount" }, { type: "network", path: "/var/run/netns/x" }] } }));
    const ns = all(plan, Tag.NAMESPACE).map((g) => records(g.bytes));
    expect(ns.map((g) => int(g[0]!))).toEqual([0x20000n, 0x40000000n]);
    expect(ns[1]!.map((r) => r.tag)).toEqual([Tag.NS_TYPE, Tag.NS_PATH]);
    expect(str(ns[1]![1]!)).toBe("/var/run/netns/x");
  });

  test("a spec without a mount namespace is refused with a hint", () => {
    expect(() => buildPlan(input({ linux: { namespaces: [{ type: "pid" }] } }))).toThrow("husk needs a mount namespace");
  });

  test("relative bind sources resolve against the bundle", () => {
    const plan = buildPlan(input({ mounts: [{ destination: "/data", type: "bind", source: "data", options: ["rbind", "ro"] }] }));
    const m = records(all(plan, Tag.MOUNT)[0]!.bytes);
    expect(str(m.find((r) => r.tag === Tag.M_SOURCE)!)).toBe("/b/data");
    const flags = int(m.find((r) => r.tag === Tag.M_FLAGS)!);
    expect(flags & 4096n).toBe(4096n); // MS_BIND
    expect(flags & 16384n).toBe(16384n); // MS_REC
    expect(flags & 1n).toBe(1n); // MS_RDONLY
  });

  test("default devices only when /dev is a tmpfs", () => {
    const withDev = buildPlan(input({ mounts: [{ destination: "/dev", type: "tmpfs", source: "tmpfs" }] }));
    const paths = all(withDev, Tag.DEVICE).map((g) => str(records(g.bytes)[0]!));
    expect(paths).toEqual(["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"]);
    expect(all(buildPlan(input({})), Tag.DEVICE)).toHaveLength(0);
  });

  test("a cgroup mount becomes a tmpfs with one bind per hierarchy on v1/hybrid", () => {
    const plan = buildPlan(input({ mounts: [{ destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro"] }] }));
    const dests = all(plan, Tag.MOUNT).map((g) => str(records(g.bytes).find((r) => r.tag === Tag.M_DEST)!));
    expect(dests).toEqual(["/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified"]);
    const v2 = buildPlan(input({ mounts: [{ destination: "/sys/fs/cgroup", type: "cgroup" }] }, { cgroupMode: "v2" }));
    expect(str(records(all(v2, Tag.MOUNT)[0]!.bytes).find((r) => r.tag === Tag.M_TYPE)!)).toBe("cgroup2");
  });

  test("capabilities become bit masks", () => {
    expect(capabilityMask(["CAP_CHOWN", "CAP_KILL", "CAP_CHECKPOINT_RESTORE"])).toBe((1n << 0n) | (1n << 5n) | (1n << 40n));
    expect(() => capabilityMask(["CAP_NOPE"])).toThrow('unknown capability "CAP_NOPE"');
  });

  test("exec plans join every namespace of the running init", () => {
    const plan = buildPlan(input({ linux: { namespaces: [{ type: "mount" }, { type: "network" }] } }, { joinPid: 4242 }));
    const ns = all(plan, Tag.NAMESPACE).map((g) => str(records(g.bytes)[1]!));
    expect(ns).toEqual(["/proc/4242/ns/mnt", "/proc/4242/ns/net"]);
    expect(all(plan, Tag.ROOTFS)).toHaveLength(0);
    expect(int(all(plan, Tag.CONTAINER_PID)[0]!)).toBe(4242n);
  });

  test("only the hooks husk-core runs go into the plan", () => {
    const hook = { path: "/bin/true" };
    const plan = buildPlan(input({ hooks: { prestart: [hook], createRuntime: [hook], poststart: [hook], poststop: [hook] } }));
    const phases = all(plan, Tag.HOOK).map((g) => int(records(g.bytes)[0]!));
    expect(phases).toEqual([0n, 1n]);
  });
});

describe("sysctl rules", () => {
  test("namespaced keys need the namespace that scopes them", () => {
    expect(() => buildPlan(input({ linux: { namespaces: [{ type: "mount" }], sysctl: { "kernel.shmmax": "1" } } }))).toThrow(
      'linux.sysctl["kernel.shmmax"]: needs the container\'s own ipc namespace',
    );
    expect(() => buildPlan(input({ linux: { namespaces: [{ type: "mount" }], sysctl: { "net.ipv4.ip_forward": "1" } } }))).toThrow("own network namespace");
    const ok = buildPlan(input({ linux: { namespaces: [{ type: "mount" }, { type: "ipc" }, { type: "network" }], sysctl: { "fs.mqueue.msg_max": "20", "net.ipv4.ip_forward": "1" } } }));
    expect(all(ok, Tag.SYSCTL)).toHaveLength(2);
  });
  test("keys no namespace scopes are refused", () => {
    expect(() => buildPlan(input({ linux: { namespaces: [{ type: "mount" }, { type: "ipc" }], sysctl: { "vm.swappiness": "1" } } }))).toThrow("would change the host");
  });
});
