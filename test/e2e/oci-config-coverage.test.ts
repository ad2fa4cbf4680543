// config.json features, each proven from inside a container started with
// `husk oci run` (foreground): namespaces, hostname/domainname, the process section
// (args, env, cwd, user, umask, rlimits, capabilities, no_new_privs, oom_score_adj),
// sysctl, seccomp and personality. File systems live in oci-config-filesystem.test.ts,
// hooks, terminal and cgroup placement in oci-config-lifecycle.test.ts.

import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runSync } from "../helpers/husk.ts";
import { isRoot, keyValues, OciSuite, TMP_TMPFS } from "./support/oci-run.ts";
import { CAPABILITIES } from "../../src/oci/spec.ts";

const suite = new OciSuite("cfg");
const hasTimeNs = existsSync("/proc/self/ns/time");
const hasIp = Bun.which("ip") !== null;
const netnsName = `husk-test-${process.pid}-cov`;

suite.useHooks(() => runSync(["ip", "netns", "delete", netnsName]));

/** `sh -c script` in the container. */
const sh = (script: string) => ["sh", "-c", script];

function hostNs(type: string): string {
  return readlinkSync(`/proc/self/ns/${type}`);
}

function capHex(names: string[]): string {
  let m = 0n;
  for (const n of names) m |= 1n << BigInt((CAPABILITIES as Record<string, number>)[n]!);
  return m.toString(16).padStart(16, "0");
}

/** The rows of /proc/<pid>/status printed by the container, as a map. */
function statusFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_]+):\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

function limitsRow(text: string, name: string): [string, string] | undefined {
  const line = text.split("\n").find((l) => l.startsWith(name));
  if (!line) return undefined;
  const cols = line.slice(name.length).trim().split(/\s+/);
  return [cols[0]!, cols[1]!];
}

const NS_SCRIPT = 'echo PID=$$; for n in pid ipc uts mnt net cgroup; do echo NS_$n=$(readlink /proc/$$/ns/$n); done';

describe.skipIf(!isRoot)("namespaces", () => {
  test("pid, ipc, uts, mount, network and cgroup namespaces are new ones", () => {
    const spec = suite.spec("ns-all", { args: sh(NS_SCRIPT), namespaces: ["pid", "ipc", "uts", "mount", "network", "cgroup"] });
    const res = suite.run("ns-all", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const kv = keyValues(res.stdout);
    expect(kv.PID).toBe("1");
    for (const n of ["pid", "ipc", "uts", "mnt", "net", "cgroup"]) {
      expect(kv[`NS_${n}`]).toMatch(new RegExp(`^${n}:\\[\\d+\\]$`));
      expect(kv[`NS_${n}`]).not.toBe(hostNs(n));
    }
  });

  test("namespaces that are not listed are shared with the host", () => {
    const spec = suite.spec("ns-few", { args: sh(NS_SCRIPT), namespaces: ["mount"] });
    delete spec.hostname; // no UTS namespace to set it in
    const res = suite.run("ns-few", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const kv = keyValues(res.stdout);
    expect(kv.PID).not.toBe("1");
    expect(kv.NS_mnt).not.toBe(hostNs("mnt"));
    for (const n of ["pid", "ipc", "uts", "net", "cgroup"]) expect(kv[`NS_${n}`]).toBe(hostNs(n));
  });

  test("uts: hostname and domainname come from config.json", () => {
    const spec = suite.spec("uts", {
      args: sh("hostname; uname -n; cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname"),
      hostname: "cov-host",
    });
    spec.domainname = "cov.example.org";
    const res = suite.run("uts", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("cov-host\ncov-host\ncov-host\ncov.example.org\n");
    expect(res.exitCode).toBe(0);
    expect(readFileSync("/proc/sys/kernel/hostname", "utf8")).not.toBe("cov-host\n");
  });

  test("ipc: the host's SysV message queues are not visible", () => {
    // Make a queue on the host (ipcmk is util-linux), then look for its key inside.
    const mk = runSync(["ipcmk", "-Q"]);
    const qid = /(\d+)\s*$/.exec(mk.stdout.trim())?.[1];
    try {
      expect(mk.exitCode).toBe(0);
      expect(readFileSync("/proc/sysvipc/msg", "utf8").split("\n").some((l) => l.trim().split(/\s+/)[1] === qid)).toBe(true);
      const spec = suite.spec("ipc", { args: sh("tail -n +2 /proc/sysvipc/msg | wc -l") });
      const res = suite.run("ipc", spec);
      expect(res.stderr).toBe("");
      expect(res.stdout).toBe("0\n");
      expect(res.exitCode).toBe(0);
    } finally {
      if (qid) runSync(["ipcrm", "-q", qid]);
    }
  });

  test("mount: the container sees its own mount table, not the host's", () => {
    const spec = suite.spec("mnt", { args: sh("cat /proc/self/mountinfo") });
    const res = suite.run("mnt", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const points = res.stdout.trim().split("\n").map((l) => l.split(" ")[4]);
    expect(points).toContain("/");
    expect(points).toContain("/proc");
    expect(points).not.toContain(suite.rootfs);
    expect(points.some((p) => p?.startsWith("/sys/fs/cgroup/"))).toBe(false);
  });

  test("network: a new network namespace has only lo", () => {
    const spec = suite.spec("net", { args: sh("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; echo ---; ls /sys/class/net") });
    const res = suite.run("net", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("lo\n---\nlo\n");
    expect(res.exitCode).toBe(0);
  });

  test("cgroup: /proc/self/cgroup shows / in every hierarchy", () => {
    const spec = suite.spec("cgns", { args: sh("cat /proc/self/cgroup"), namespaces: ["pid", "ipc", "uts", "mount", "network", "cgroup"] });
    const res = suite.run("cgns", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.trim().split("\n");
    const host = readFileSync("/proc/self/cgroup", "utf8").trim().split("\n");
    expect(lines).toHaveLength(host.length);
    // Every hierarchy's path is the namespace root, not the host path of the container cgroup.
    expect(lines.filter((l) => !/^\d+:[^:]*:\/$/.test(l))).toEqual([]);
  });

  test("user: uid/gid mappings, and files made inside are owned by the mapped host ids", () => {
    const shared = suite.dir("userns-shared");
    chmodSync(shared, 0o777);
    const spec = suite.spec("userns", {
      args: sh(
        "readlink /proc/$$/ns/user; cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; " +
          "touch /tmp/shared/by-root && mkdir /tmp/shared/by-app && chown 1000:1000 /tmp/shared/by-app && " +
          "echo x > /dev/null && head -c 4 /dev/zero | wc -c && echo done",
      ),
      namespaces: ["pid", "ipc", "uts", "mount", "network", "user"],
    });
    spec.process.capabilities.bounding.push("CAP_CHOWN");
    spec.mounts.push(TMP_TMPFS, { destination: "/tmp/shared", type: "bind", source: shared, options: ["rbind"] });
    const res = suite.run("userns", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
    expect(lines[0]).toMatch(/^user:\[\d+\]$/);
    expect(lines[0]).not.toBe(hostNs("user"));
    expect(lines.slice(1)).toEqual(["0 100000 65536", "0 100000 65536", "0", "0", "4", "done"]);
    const byRoot = statSync(join(shared, "by-root"));
    expect([byRoot.uid, byRoot.gid]).toEqual([100000, 100000]);
    const byApp = statSync(join(shared, "by-app"));
    expect([byApp.uid, byApp.gid]).toEqual([101000, 101000]);
  });

  test.skipIf(!hasTimeNs)("time: timeOffsets shift boottime and monotonic clocks", () => {
    const offset = 1_000_000;
    const spec = suite.spec("timens", { args: sh("readlink /proc/$$/ns/time; cat /proc/uptime; cat /proc/self/timens_offsets") });
    spec.linux.namespaces.push({ type: "time" });
    spec.linux.timeOffsets = { monotonic: { secs: offset, nanosecs: 0 }, boottime: { secs: offset, nanosecs: 0 } };
    const hostBefore = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    const res = suite.run("timens", spec);
    const hostAfter = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const [ns, uptime, ...offsets] = res.stdout.trim().split("\n");
    expect(offsets.map((l) => l.trim().split(/\s+/).join(" ")).sort()).toEqual([`boottime ${offset} 0`, `monotonic ${offset} 0`]);
    expect(ns).toMatch(/^time:\[\d+\]$/);
    expect(ns).not.toBe(hostNs("time"));
    const inside = Number(uptime!.split(" ")[0]);
    expect(inside).toBeGreaterThanOrEqual(hostBefore + offset);
    expect(inside).toBeLessThanOrEqual(hostAfter + offset + 1);
  });

  test.skipIf(!hasIp)("network: joining an existing namespace by path", () => {
    for (const cmd of [
      ["ip", "netns", "add", netnsName],
      ["ip", "-n", netnsName, "link", "add", "cov0", "type", "veth", "peer", "name", "cov1"],
      ["ip", "-n", netnsName, "link", "set", "lo", "up"],
    ]) {
      const r = runSync(cmd);
      expect(`${cmd.join(" ")}: ${r.stderr}`).toBe(`${cmd.join(" ")}: `);
    }
    try {
      const spec = suite.spec("netns-join", {
        args: sh("readlink /proc/$$/ns/net; ls /sys/class/net; cat /sys/class/net/lo/flags"),
      });
      spec.linux.namespaces = spec.linux.namespaces.map((n: { type: string }) =>
        n.type === "network" ? { type: "network", path: `/var/run/netns/${netnsName}` } : n,
      );
      const res = suite.run("netns-join", spec);
      expect(res.stderr).toBe("");
      expect(res.exitCode).toBe(0);
      const ino = statSync(`/var/run/netns/${netnsName}`).ino;
      const lines = res.stdout.trim().split("\n");
      expect(lines[0]).toBe(`net:[${ino}]`);
      expect(lines.slice(1, 4).sort()).toEqual(["cov0", "cov1", "lo"]);
      expect(Number(lines[4]) & 1).toBe(1); // IFF_UP, set in the namespace before
      // The namespace outlives the container.
      expect(existsSync(`/var/run/netns/${netnsName}`)).toBe(true);
    } finally {
      runSync(["ip", "netns", "delete", netnsName]);
    }
  });
});

describe.skipIf(!isRoot)("process", () => {
  test("args, env and cwd", () => {
    const script = 'printf "%s|" "$0" "$1" "$2"; echo; pwd; tr "\\0" "\\n" < /proc/1/environ; echo end';
    const spec = suite.spec("args", { args: ["sh", "-c", script, "a0", "b 1", 'c"2'], env: ["PATH=/bin", "FOO=bar baz", "EMPTY="], cwd: "/home/app" });
    const res = suite.run("args", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe('a0|b 1|c"2|\n/home/app\nPATH=/bin\nFOO=bar baz\nEMPTY=\nend\n');
    expect(res.exitCode).toBe(0);
  });

  test("the exit status and a fatal signal come back as husk's exit code", () => {
    const a = suite.run("exit7", suite.spec("exit7", { args: sh("exit 7") }));
    expect(a.stderr).toBe("");
    expect(a.exitCode).toBe(7);
    // Without a pid namespace, so that the shell is not an init that ignores SIGKILL.
    const killSpec = suite.spec("sigkill", { args: sh("kill -9 $$"), namespaces: ["mount", "ipc", "uts", "network"] });
    const b = suite.run("sigkill", killSpec);
    expect(b.stderr).toBe("");
    expect(b.exitCode).toBe(137);
  });

  test("a missing executable fails with a message naming it", () => {
    const res = suite.run("noexec", suite.spec("noexec", { args: ["/bin/does-not-exist"] }));
    expect(res.stdout).toBe("");
    expect(res.exitCode).not.toBe(0);
    expect(res.exitCode).not.toBeNull();
    expect(res.stderr).toContain("/bin/does-not-exist");
  });

  test("user: uid, gid and additionalGids", () => {
    const spec = suite.spec("user", {
      args: sh("grep -E '^(Uid|Gid|Groups):' /proc/self/status; id"),
      user: { uid: 1000, gid: 1000, additionalGids: [10, 65534] },
    });
    const res = suite.run("user", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const f = statusFields(res.stdout);
    expect(f.Uid!.split(/\s+/)).toEqual(["1000", "1000", "1000", "1000"]);
    expect(f.Gid!.split(/\s+/)).toEqual(["1000", "1000", "1000", "1000"]);
    expect(f.Groups!.split(/\s+/).sort()).toEqual(["10", "65534"]);
    expect(res.stdout).toMatch(/^uid=1000\(app\) gid=1000\(app\) groups=/m);
  });

  test("user: umask applies to the process and to files it makes", () => {
    const spec = suite.spec("umask", { args: sh("umask; touch /tmp/f; mkdir /tmp/d; stat -c %a /tmp/f /tmp/d") });
    spec.process.user.umask = 0o027;
    spec.mounts.push(TMP_TMPFS);
    const res = suite.run("umask", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("0027\n640\n750\n");
    expect(res.exitCode).toBe(0);
  });

  test("rlimits: RLIMIT_NOFILE 1024/2048 and RLIMIT_CORE 0/0", () => {
    const spec = suite.spec("rlimits", { args: sh("ulimit -n; ulimit -Hn; cat /proc/self/limits") });
    spec.process.rlimits = [
      { type: "RLIMIT_NOFILE", soft: 1024, hard: 2048 },
      { type: "RLIMIT_CORE", soft: 0, hard: 0 },
    ];
    const res = suite.run("rlimits", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    expect(res.stdout.split("\n").slice(0, 2)).toEqual(["1024", "2048"]);
    expect(limitsRow(res.stdout, "Max open files")).toEqual(["1024", "2048"]);
    expect(limitsRow(res.stdout, "Max core file size")).toEqual(["0", "0"]);
  });

  test("rlimits: a value above the current hard limit fails with a message naming the rlimit", () => {
    const hostHard = limitsRow(readFileSync("/proc/self/limits", "utf8"), "Max open files")![1];
    if (hostHard === "unlimited") return; // nothing is above it
    const over = Number(hostHard) + 1;
    const spec = suite.spec("rlimit-over", { args: sh("echo should-not-run") });
    spec.process.rlimits = [{ type: "RLIMIT_NOFILE", soft: over, hard: over }];
    const res = suite.run("rlimit-over", spec);
    expect(res.stdout).toBe("");
    expect(res.exitCode).not.toBe(0);
    expect(res.exitCode).not.toBeNull();
    expect(res.stderr).toContain("RLIMIT_NOFILE");
    expect(res.stderr).toContain(String(over));
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
  });

  const CAPS = {
    bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
    effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
    inheritable: ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
    ambient: ["CAP_NET_BIND_SERVICE"],
  };
  const CAP_SCRIPT = "grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/self/status";

  test("capabilities: all five sets for a non-root user (kernel execve rules)", () => {
    const spec = suite.spec("caps-user", { args: sh(CAP_SCRIPT), user: { uid: 1000, gid: 1000 } });
    spec.process.capabilities = CAPS;
    const res = suite.run("caps-user", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    // After execve a non-root process without file caps keeps bounding and inheritable;
    // permitted and effective become the ambient set.
    expect(statusFields(res.stdout)).toEqual({
      CapInh: capHex(CAPS.inheritable),
      CapPrm: capHex(CAPS.ambient),
      CapEff: capHex(CAPS.ambient),
      CapBnd: capHex(CAPS.bounding),
      CapAmb: capHex(CAPS.ambient),
    });
  });

  test("capabilities: all five sets for root", () => {
    const spec = suite.spec("caps-root", { args: sh(CAP_SCRIPT) });
    spec.process.capabilities = CAPS;
    const res = suite.run("caps-root", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    // root would get permitted = effective = bounding | inheritable across execve, but
    // no_new_privs (on in this spec) keeps it from gaining anything it had not: the
    // result is the configured permitted set, also as the effective set.
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(statusFields(res.stdout)).toEqual({
      CapInh: capHex(CAPS.inheritable),
      CapPrm: capHex(CAPS.permitted),
      CapEff: capHex(CAPS.permitted),
      CapBnd: capHex(CAPS.bounding),
      CapAmb: capHex(CAPS.ambient),
    });
  });

  test("capabilities: a dropped capability is really gone (chown fails without CAP_CHOWN)", () => {
    const spec = suite.spec("caps-chown", { args: sh("touch /tmp/f; chown 1000 /tmp/f 2>&1; echo rc=$?") });
    spec.mounts.push(TMP_TMPFS);
    const res = suite.run("caps-chown", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toContain("Operation not permitted");
    expect(res.stdout).toContain("rc=1");
  });

  test("noNewPrivileges true and false", () => {
    const on = suite.spec("nnp-on", { args: sh("grep NoNewPrivs /proc/self/status") });
    const a = suite.run("nnp-on", on);
    expect(a.stderr).toBe("");
    expect(a.stdout).toBe("NoNewPrivs:\t1\n");
    const off = suite.spec("nnp-off", { args: sh("grep NoNewPrivs /proc/self/status") });
    off.process.noNewPrivileges = false;
    const b = suite.run("nnp-off", off);
    expect(b.stderr).toBe("");
    expect(b.stdout).toBe("NoNewPrivs:\t0\n");
  });

  test("oomScoreAdj", () => {
    const spec = suite.spec("oom", { args: sh("cat /proc/self/oom_score_adj") });
    spec.process.oomScoreAdj = 500;
    const res = suite.run("oom", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("500\n");
    expect(res.exitCode).toBe(0);
  });
});

describe.skipIf(!isRoot)("linux.sysctl", () => {
  test("net.ipv4.ip_forward in a new netns and kernel.shmmax in a new ipc ns; the host keeps its values", () => {
    const hostFwd = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8");
    const hostShm = readFileSync("/proc/sys/kernel/shmmax", "utf8");
    const want = hostFwd.trim() === "1" ? "0" : "1";
    const spec = suite.spec("sysctl", { args: sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax") });
    spec.linux.sysctl = { "net.ipv4.ip_forward": want, "kernel.shmmax": "123456789" };
    const res = suite.run("sysctl", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe(`${want}\n123456789\n`);
    expect(res.exitCode).toBe(0);
    expect(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8")).toBe(hostFwd);
    expect(readFileSync("/proc/sys/kernel/shmmax", "utf8")).toBe(hostShm);
  });

  test("a namespaced sysctl is refused when the container shares that namespace with the host", () => {
    const hostShm = readFileSync("/proc/sys/kernel/shmmax", "utf8");
    const spec = suite.spec("sysctl-hostns", { args: sh("echo should-not-run"), namespaces: ["pid", "uts", "mount", "network"] });
    spec.linux.sysctl = { "kernel.shmmax": "123456789" };
    let res;
    let after;
    try {
      res = suite.run("sysctl-hostns", spec);
    } finally {
      after = readFileSync("/proc/sys/kernel/shmmax", "utf8");
      if (after !== hostShm) writeFileSync("/proc/sys/kernel/shmmax", hostShm); // undo the damage
    }
    // Whatever happens, the host's value must not change.
    expect(after).toBe(hostShm);
    expect(res.stdout).toBe("");
    expect(res.exitCode).not.toBe(0);
    expect(res.stderr).toContain("kernel.shmmax");
  });
});

const ARCHES = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"];

describe.skipIf(!isRoot)("linux.seccomp", () => {
  const mkdirProfile = {
    defaultAction: "SCMP_ACT_ALLOW",
    architectures: ARCHES,
    syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
  };
  const MKDIR_SCRIPT = "grep -E '^Seccomp(_filters)?:' /proc/self/status; mkdir /tmp/x 2>&1; echo rc=$?; touch /tmp/y && echo touched";

  test("an errno rule makes mkdir fail with EPERM; other calls pass", () => {
    const spec = suite.spec("seccomp-mkdir", { args: sh(MKDIR_SCRIPT) });
    spec.mounts.push(TMP_TMPFS);
    spec.linux.seccomp = mkdirProfile;
    const res = suite.run("seccomp-mkdir", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain("Seccomp:\t2\n");
    expect(res.stdout).toContain("Operation not permitted");
    expect(res.stdout).toContain("rc=1\n");
    expect(res.stdout).toContain("touched\n");
  });

  test("the same rule also applies without noNewPrivileges (loaded while still privileged)", () => {
    const spec = suite.spec("seccomp-nonnp", { args: sh(MKDIR_SCRIPT) });
    spec.mounts.push(TMP_TMPFS);
    spec.process.noNewPrivileges = false;
    spec.linux.seccomp = mkdirProfile;
    const res = suite.run("seccomp-nonnp", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toContain("Seccomp:\t2\n");
    expect(res.stdout).toContain("Operation not permitted");
    expect(res.stdout).toContain("touched\n");
  });

  test("without the profile the same mkdir works (control)", () => {
    const spec = suite.spec("seccomp-none", { args: sh(MKDIR_SCRIPT) });
    spec.mounts.push(TMP_TMPFS);
    const res = suite.run("seccomp-none", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toContain("Seccomp:\t0\n");
    expect(res.stdout).toContain("rc=0\n");
  });

  test("a rule with an argument condition only matches that argument", () => {
    const mode700 = 0o700;
    const spec = suite.spec("seccomp-args", {
      args: sh("touch /tmp/f; chmod 700 /tmp/f 2>&1; echo rc=$?; chmod 750 /tmp/f; echo rc=$?; stat -c %a /tmp/f"),
    });
    spec.mounts.push(TMP_TMPFS);
    spec.linux.seccomp = {
      defaultAction: "SCMP_ACT_ALLOW",
      architectures: ARCHES,
      syscalls: [
        { names: ["chmod"], action: "SCMP_ACT_ERRNO", errnoRet: 13, args: [{ index: 1, value: mode700, op: "SCMP_CMP_EQ" }] },
        { names: ["fchmodat", "fchmodat2"], action: "SCMP_ACT_ERRNO", errnoRet: 13, args: [{ index: 2, value: mode700, op: "SCMP_CMP_EQ" }] },
        { names: ["fchmod"], action: "SCMP_ACT_ERRNO", errnoRet: 13, args: [{ index: 1, value: mode700, op: "SCMP_CMP_EQ" }] },
      ],
    };
    const res = suite.run("seccomp-args", spec);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines[0]).toContain("Permission denied");
    expect(lines.slice(1)).toEqual(["rc=1", "rc=0", "750"]);
  });
});

describe.skipIf(!isRoot || process.arch !== "x64")("linux.personality", () => {
  test("LINUX32 makes uname -m print i686", () => {
    const spec = suite.spec("personality", { args: sh("uname -m") });
    spec.linux.personality = { domain: "LINUX32" };
    const res = suite.run("personality", spec);
    expect(res.stderr).toBe("");
    expect(res.stdout).toBe("i686\n");
    expect(res.exitCode).toBe(0);
  });
});

