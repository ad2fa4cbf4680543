// `husk run` flags as a container sees them: env, user, workdir, hostname, /etc files,
// volumes, tmpfs, read-only root, capabilities, seccomp, limits, init, restart, logs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { removeTestCgroups } from "../helpers/cgroup.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../helpers/leaks.ts";
import { type EngineEnv, engineEnv, IMAGE } from "./support/engine.ts";

let env: EngineEnv;
let before: HostSnapshot;
let hostDir: string;
const husk = (...args: string[]) => env.husk(args);
/** A --rm foreground run; returns stdout after checking it succeeded. */
function inside(flags: string[], script: string): string {
  const r = env.husk(["run", "--rm", "--cgroup-parent", env.cgroupParent, ...flags, IMAGE, "sh", "-c", script]);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  before = snapshotHost();
  env = await engineEnv("engine-flags", {
    Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FROM_IMAGE=yes"], Cmd: ["/bin/sh"], WorkingDir: "/tmp",
    Labels: { "org.example.from": "image" }, StopSignal: "SIGUSR1", ExposedPorts: { "8080/tcp": {} }, Volumes: { "/data": {} },
  });
  hostDir = mkdtempSync("/var/tmp/husk-test-engine-flags-bind-");
  writeFileSync(`${hostDir}/from-host`, "host file\n");
});

afterAll(() => {
  env.cleanup();
  rmSync(hostDir, { recursive: true, force: true });
  removeTestCgroups("engine-flags");
  assertNoLeaks(before);
});

describe("process settings", () => {
  test("env (flag, file, image), workdir, user, hostname", () => {
    const envFile = `${hostDir}/env`;
    writeFileSync(envFile, "# comment\nFROM_FILE=file\n");
    const out = inside(["-e", "A=1", "--env-file", envFile, "-w", "/etc", "-u", "app", "--hostname", "box1"], "echo $A $FROM_FILE $FROM_IMAGE $HOSTNAME; pwd; id -u; id -g; hostname; cat /etc/hostname");
    expect(out).toBe("1 file yes box1\n/etc\n1000\n1000\nbox1\nbox1\n");
  });
  test("the image's WorkingDir, the generated hostname and /etc files", () => {
    const out = inside([], "pwd; hostname; grep -c localhost /etc/hosts; test -f /etc/resolv.conf && echo resolv");
    const lines = out.split("\n");
    expect(lines[0]).toBe("/tmp");
    expect(lines[1]).toMatch(/^[0-9a-f]{12}$/);
    expect(Number(lines[2])).toBeGreaterThanOrEqual(2);
    expect(lines[3]).toBe("resolv");
  });
  test("--entrypoint and the command", () => {
    const r = env.husk(["run", "--rm", "--cgroup-parent", env.cgroupParent, "--entrypoint", "/bin/echo", IMAGE, "a", "b"]);
    expect(r.stdout).toBe("a b\n");
  });
});

describe("mounts", () => {
  test("bind (rw and ro), named volume kept across containers, tmpfs, read-only root", () => {
    expect(inside(["-v", `${hostDir}:/h`], "cat /h/from-host; echo new > /h/made-inside")).toBe("host file\n");
    expect(readFileSync(`${hostDir}/made-inside`, "utf8")).toBe("new\n");
    expect(inside(["-v", `${hostDir}:/h:ro`], "(echo x > /h/no) 2>/dev/null || echo refused")).toBe("refused\n");
    inside(["-v", "vol1:/v"], "echo kept > /v/f");
    expect(inside(["--mount", "type=volume,source=vol1,target=/w,readonly"], "cat /w/f")).toBe("kept\n");
    expect(readFileSync(`${env.dataRoot}/volumes/vol1/_data/f`, "utf8")).toBe("kept\n");
    expect(inside(["--tmpfs", "/scratch:size=1m"], "grep ' /scratch ' /proc/mounts | cut -d' ' -f3")).toBe("tmpfs\n");
    expect(inside(["--read-only", "--tmpfs", "/run"], "touch /x 2>/dev/null || echo ro; touch /run/ok && echo tmpfs-rw")).toBe("ro\ntmpfs-rw\n");
  });
});

describe("security", () => {
  const capEff = (flags: string[]) => BigInt(`0x${inside(flags, "grep CapEff /proc/self/status | cut -f2").trim()}`);
  test("docker's default capabilities; add, drop, privileged", () => {
    const dflt = capEff([]);
    expect(dflt).toBe(0xa80425fbn); // docker's default set
    expect(capEff(["--cap-add", "SYS_ADMIN"]) & (1n << 21n)).toBe(1n << 21n);
    expect(capEff(["--cap-drop", "ALL"])).toBe(0n);
    expect(capEff(["--privileged"]) > dflt).toBe(true);
  });
  test("seccomp: docker's profile by default, unconfined on request; no-new-privileges", () => {
    expect(inside([], "grep Seccomp: /proc/self/status | cut -f2")).toBe("2\n");
    expect(inside(["--security-opt", "seccomp=unconfined"], "grep Seccomp: /proc/self/status | cut -f2")).toBe("0\n");
    expect(inside(["--security-opt", "no-new-privileges"], "grep NoNewPrivs /proc/self/status | cut -f2")).toBe("1\n");
    expect(inside([], "cat /proc/kcore 2>/dev/null | head -c1 | wc -c")).toBe("0\n");
  });
  test("--init runs the host's static init as pid 1, the command under it", () => {
    expect(inside(["--init"], "tr '\\0' ' ' < /proc/1/cmdline; echo; echo $$")).toMatch(/^\/dev\/init -- sh -c .*\n(?!1\n)\d+\n$/);
  });
});

describe("limits", () => {
  test("memory, pids, cpus and ulimits reach the cgroup and the process", () => {
    const out = inside(["--memory", "64m", "--pids-limit", "42", "--cpus", "0.5", "--ulimit", "nofile=123:456"],
      "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us; ulimit -n; ulimit -Hn");
    expect(out).toBe(`${64 * 1024 * 1024}\n42\n50000\n123\n456\n`);
  });
  test("--sysctl in the container's own namespace", () => {
    expect(inside(["--sysctl", "net.ipv4.ip_forward=1"], "cat /proc/sys/net/ipv4/ip_forward")).toBe("1\n");
  });
});

describe("networks", () => {
  test("none: only lo, and it is up; host: the host's interfaces", () => {
    expect(inside(["--network", "none"], "ls /sys/class/net; cat /sys/class/net/lo/operstate")).toMatch(/^lo\n(unknown|up)\n$/i);
    const hostIfs = inside(["--network", "host"], "ls /sys/class/net | wc -l");
    expect(Number(hostIfs)).toBeGreaterThan(1);
  });
  test("container:NAME joins another container's network namespace", () => {
    const id = husk("run", "-d", "--cgroup-parent", env.cgroupParent, "--name", "netowner", IMAGE, "sleep", "1000").stdout.trim();
    const pid = JSON.parse(husk("inspect", id).stdout)[0].State.Pid;
    const theirs = inside(["--network", "container:netowner"], "readlink /proc/self/ns/net");
    expect(theirs.trim()).toBe(readlinkSync(`/proc/${pid}/ns/net`));
    expect(theirs.trim()).not.toBe(readlinkSync("/proc/self/ns/net"));
    expect(husk("rm", "-f", "netowner").exitCode).toBe(0);
  });
});

describe("policies", () => {
  test("restart on-failure:2 restarts twice, then stays exited", () => {
    const id = husk("run", "-d", "--cgroup-parent", env.cgroupParent, "--restart", "on-failure:2", IMAGE, "sh", "-c", "echo run; exit 1").stdout.trim();
    expect(husk("wait", id).stdout).toBe("1\n");
    const st = JSON.parse(husk("inspect", id).stdout)[0];
    expect(st.RestartCount).toBe(2);
    expect(st.State.Status).toBe("exited");
    expect(husk("logs", id).stdout).toBe("run\nrun\nrun\n");
    expect(husk("rm", id).exitCode).toBe(0);
  });
  test("image StopSignal, labels, exposed ports and log rotation in inspect", () => {
    const id = husk("run", "-d", "--cgroup-parent", env.cgroupParent, "-l", "k=v", "--log-opt", "max-size=1k", "--log-opt", "max-file=2", IMAGE,
      "sh", "-c", "trap 'echo usr1; exit 0' USR1; i=0; while [ $i -lt 100 ]; do echo line-$i-padding-padding-padding; i=$((i+1)); done; while :; do sleep 0.1; done").stdout.trim();
    const info = JSON.parse(husk("inspect", id).stdout)[0];
    expect(info.Config.StopSignal).toBe("SIGUSR1");
    expect(info.Config.Labels).toEqual({ "org.example.from": "image", k: "v" });
    expect(info.Config.ExposedPorts).toEqual({ "8080/tcp": {} });
    expect(info.HostConfig.LogConfig.Config).toEqual({ "max-size": "1k", "max-file": "2" });
    expect(info.GraphDriver.Name).toBe("overlay");
    expect(info.GraphDriver.Data.MergedDir).toContain(id);
    expect(husk("stop", id).exitCode).toBe(0);
    const logs = husk("logs", id).stdout;
    expect(logs).toEndWith("usr1\n");
    expect(logs).not.toContain("line-0-");
    expect(husk("rm", id).exitCode).toBe(0);
  });
});
