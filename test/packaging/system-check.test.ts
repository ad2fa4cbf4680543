// husk system check: the judgement on made-up hosts (pure), then the compiled binary on
// this host, in both formats.
import { describe, expect, test } from "bun:test";
import { checkExitCode, type HostFacts, hostChecks, renderChecks } from "../../src/cli/system/host-checks.ts";
import { runHusk } from "../helpers/husk.ts";

const full: HostFacts = {
  kernel: "6.1.0-test",
  arch: "arm64",
  features: {
    cgroupMode: "v2", clone3: true, overlay: true, newMountApi: true, seccomp: true, userNamespaces: true,
    timeNamespace: true, cgroupNamespace: true, pidfd: true, capLastCap: 40,
  },
  namespaces: ["cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"],
  controllers: ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "freezer"],
  modules: { veth: true, bridge: true, overlay: true, nf_tables: true, ip_tables: false },
  commands: { nft: true, iptables: false },
};
const byName = (f: HostFacts, n: string) => hostChecks(f).find((i) => i.name === n)!;

describe("the judgement", () => {
  test("a complete host: everything ok, exit 0, no fix lines", () => {
    const items = hostChecks(full);
    expect(items.filter((i) => i.status !== "ok").map((i) => i.name)).toEqual([]);
    expect(checkExitCode(items)).toBe(0);
    expect(renderChecks(full, items)).not.toContain("fix:");
  });

  test("an old kernel: no overlay, clone3 or new mount API is a warning with its fallback, exit 0", () => {
    const old = { ...full, features: { ...full.features, overlay: false, clone3: false, newMountApi: false }, modules: { ...full.modules, overlay: false } };
    const items = hostChecks(old);
    expect(checkExitCode(items)).toBe(0);
    expect(byName(old, "overlay").fix).toContain("copies image layers");
    expect(byName(old, "clone3").fix).toContain("clone");
    expect(byName(old, "new mount API").status).toBe("degraded");
  });

  test("no seccomp or no pid namespace: MISSING, the config option to fix it, exit 1", () => {
    const bad = { ...full, namespaces: full.namespaces.filter((n) => n !== "pid"), features: { ...full.features, seccomp: false } };
    const items = hostChecks(bad);
    expect(checkExitCode(items)).toBe(1);
    expect(byName(bad, "namespaces").fix).toContain("CONFIG_PID_NS");
    expect(byName(bad, "seccomp").fix).toContain("CONFIG_SECCOMP_FILTER");
    expect(renderChecks(bad, items)).toMatch(/MISSING\s+seccomp/);
  });

  test("a missing cgroup controller is named", () => {
    const f = { ...full, controllers: ["cpu", "memory", "io", "cpuset", "freezer"] };
    expect(byName(f, "cgroup controllers").fix).toContain("pids");
  });

  test("nftables or iptables: either with its command is enough", () => {
    expect(byName(full, "nftables/iptables").status).toBe("ok");
    const none = { ...full, commands: { nft: false, iptables: false } };
    expect(byName(none, "nftables/iptables").fix).toContain("nftables");
  });
});

describe.skipIf(process.getuid?.() !== 0)("the binary on this host", () => {
  test("text: one screen, every item, exit status matches the verdict", () => {
    const r = runHusk(["system", "check"]);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^husk system check: kernel \S+ \((x64|arm64)\)/);
    expect(lines.length).toBeLessThanOrEqual(30);
    for (const n of ["namespaces", "cgroups", "cgroup controllers", "seccomp", "overlay", "new mount API", "clone3", "user namespaces", "veth and bridge", "nftables/iptables"]) {
      expect(r.stdout).toMatch(new RegExp(`^  (ok|missing|MISSING)\\s+${n.replace("/", "\\/")}\\s`, "m"));
    }
    expect(r.exitCode).toBe(r.stdout.includes("MISSING") ? 1 : 0);
  });

  test("json: the same items, ok agrees with the exit status", () => {
    const r = runHusk(["system", "check", "--format", "json"]);
    const j = JSON.parse(r.stdout);
    expect(j.checks.length).toBeGreaterThanOrEqual(10);
    expect(j.checks.find((c: { name: string }) => c.name === "cgroups").detail).toMatch(/mode (v1|v2|hybrid)/);
    expect(r.exitCode).toBe(j.ok ? 0 : 1);
  });

  test("a bad --format is one line and exit 125", () => {
    const r = runHusk(["system", "check", "--format", "yaml"]);
    expect(r.exitCode).toBe(125);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
