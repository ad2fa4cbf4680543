// `husk run` flag parsing: docker's spellings in, docker's Config/HostConfig out, and every
// bad value as one line with exit code 125.
import { describe, expect, test } from "bun:test";
import { HuskError } from "../../src/runtime/errors.ts";
import { parseEnv, parseLabels } from "../../src/engine/flags/env.ts";
import { parseMountFlag, parseTmpfs, parseVolume } from "../../src/engine/flags/mounts.ts";
import { parseLogOpts, parseNetwork, parseRestart, parseStopSignal } from "../../src/engine/flags/policies.ts";
import { parseCpus, parseCpuset, parseDevice, parseMemory, parseMemorySwap, parseUlimit } from "../../src/engine/flags/resources.ts";
import { DEFAULT_CAPABILITIES, effectiveCapabilities, parseSecurityOpts } from "../../src/engine/flags/security.ts";
import { parseBytes } from "../../src/engine/flags/sizes.ts";
import { containerSettings } from "../../src/engine/run-flags.ts";

function rejects(fn: () => unknown, message: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(HuskError);
  expect((err as HuskError).exitCode).toBe(125);
  expect((err as HuskError).render()).toMatch(message);
  expect((err as HuskError).render()).not.toContain("\n");
}

describe("sizes", () => {
  test("docker units are 1024-based and case-insensitive", () => {
    expect(parseBytes("--memory", "512m")).toBe(512 * 1024 * 1024);
    expect(parseBytes("--memory", "1G")).toBe(1024 ** 3);
    expect(parseBytes("--memory", "100kb")).toBe(102400);
    expect(parseBytes("--memory", "4096")).toBe(4096);
    rejects(() => parseBytes("--memory", "12x"), /^invalid value "12x" for --memory: expected a size/);
  });
  test("memory has docker's 6m floor and swap must cover memory", () => {
    rejects(() => parseMemory("1m"), /the minimum is 6m/);
    expect(parseMemorySwap("-1", 64 << 20)).toBe(-1);
    rejects(() => parseMemorySwap("32m", 64 << 20), /at least --memory/);
    rejects(() => parseMemorySwap("128m", 0), /needs --memory/);
  });
});

describe("env, labels", () => {
  test("KEY=VALUE, bare KEY from the caller, env files with comments", () => {
    const env = parseEnv(["A=1", "HOME_X", "MISSING"], ["/f"], { HOME_X: "h" }, () => "# comment\n\nB=2\r\nHOME_X\n");
    expect(env).toEqual(["B=2", "HOME_X=h", "A=1", "HOME_X=h"]);
    rejects(() => parseEnv(["=x"], []), /for --env: expected KEY=VALUE/);
    rejects(() => parseEnv([], ["/nope/env"]), /^--env-file \/nope\/env: cannot read it: ENOENT/);
  });
  test("labels", () => {
    expect(parseLabels(["a=b=c", "flag"])).toEqual({ a: "b=c", flag: "" });
  });
});

describe("mounts", () => {
  test("-v forms: bind, named, anonymous, options", () => {
    expect(parseVolume("/srv/data:/data:ro,rslave")).toEqual({ Type: "bind", Source: "/srv/data", Target: "/data", ReadOnly: true, Options: ["rslave"] });
    expect(parseVolume("cache:/var/cache")).toEqual({ Type: "volume", Source: "cache", Target: "/var/cache", ReadOnly: false, Options: [] });
    expect(parseVolume("/scratch")).toEqual({ Type: "volume", Source: "", Target: "/scratch", ReadOnly: false, Options: [] });
    rejects(() => parseVolume("/a:rel"), /container path must be absolute/);
    rejects(() => parseVolume("/a:/b:bogus"), /unknown option "bogus"/);
    rejects(() => parseVolume("/a:/"), /cannot mount over the container's \//);
  });
  test("--mount and --tmpfs", () => {
    expect(parseMountFlag("type=bind,source=/x,target=/y,readonly")).toEqual({ Type: "bind", Source: "/x", Target: "/y", ReadOnly: true, Options: [] });
    expect(parseMountFlag("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770").Options).toEqual(["size=1048576", "mode=1770"]);
    rejects(() => parseMountFlag("type=nfs,target=/x"), /type must be bind, volume or tmpfs/);
    rejects(() => parseMountFlag("type=bind,source=rel,target=/x"), /absolute source/);
    rejects(() => parseMountFlag("type=bind,source=/a,target=/x,colour=red"), /unknown field "colour"/);
    expect(parseTmpfs("/run:rw,size=64m,mode=1777")).toEqual(["/run", "rw,size=64m,mode=1777"]);
    rejects(() => parseTmpfs("/run:exec=maybe"), /unknown tmpfs option/);
  });
});

describe("resources", () => {
  test("cpus, cpuset, ulimit, device", () => {
    expect(parseCpus("1.5", 2)).toBe(1_500_000_000);
    rejects(() => parseCpus("3", 2), /this host has 2 cpus/);
    rejects(() => parseCpus("-1", 2), /positive number/);
    expect(parseCpuset("0-1", 2)).toBe("0-1");
    rejects(() => parseCpuset("0-4", 2), /cpus 0-1 exist/);
    expect(parseUlimit("nofile=1024:2048")).toEqual({ Name: "nofile", Soft: 1024, Hard: 2048 });
    rejects(() => parseUlimit("nofile=10:5"), /soft limit is above the hard limit/);
    rejects(() => parseUlimit("bogus=1"), /unknown limit "bogus"/);
    expect(parseDevice("/dev/fuse")).toEqual({ PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" });
    expect(parseDevice("/dev/null:/dev/mynull:r")).toEqual({ PathOnHost: "/dev/null", PathInContainer: "/dev/mynull", CgroupPermissions: "r" });
    rejects(() => parseDevice("/dev/null:/x:rwx"), /permissions/);
  });
});

describe("policies and security", () => {
  test("restart, log-opt, network, stop signal", () => {
    expect(parseRestart("on-failure:3")).toEqual({ Name: "on-failure", MaximumRetryCount: 3 });
    rejects(() => parseRestart("always:3"), /only on-failure takes a retry count/);
    rejects(() => parseRestart("sometimes"), /expected no, on-failure/);
    expect(parseLogOpts(["max-size=1m", "max-file=3"])).toEqual({ "max-size": "1m", "max-file": "3" });
    rejects(() => parseLogOpts(["compress=true"]), /takes max-size=SIZE and max-file=N/);
    expect(parseNetwork(undefined)).toEqual({ mode: "network", name: "bridge" });
    expect(parseNetwork("none")).toEqual({ mode: "none" });
    expect(parseNetwork("default")).toEqual({ mode: "network", name: "bridge" });
    expect(parseNetwork("backend")).toEqual({ mode: "network", name: "backend" });
    expect(parseNetwork("netns:blue")).toEqual({ mode: "network", name: "netns:blue" });
    expect(parseNetwork("container:web")).toEqual({ mode: "container", ref: "web" });
    expect(parseNetwork("ns:/var/run/netns/x")).toEqual({ mode: "ns", path: "/var/run/netns/x" });
    rejects(() => parseNetwork("ns:relative"), /expected bridge, a network NAME, none, host/);
    rejects(() => parseNetwork("-bad"), /expected bridge/);
    expect(parseStopSignal("kill", undefined)).toBe("SIGKILL");
    expect(parseStopSignal(undefined, "SIGQUIT")).toBe("SIGQUIT");
    rejects(() => parseStopSignal("SIGNOPE", undefined), /--stop-signal/);
  });
  test("capabilities: docker's default set, ALL, add and drop", () => {
    expect(effectiveCapabilities([], [], false, 40).sort()).toEqual([...DEFAULT_CAPABILITIES].sort());
    const caps = effectiveCapabilities(["sys_admin"], ["NET_RAW", "cap_mknod"], false, 40);
    expect(caps).toContain("CAP_SYS_ADMIN");
    expect(caps).not.toContain("CAP_NET_RAW");
    expect(caps).not.toContain("CAP_MKNOD");
    expect(effectiveCapabilities(["CHOWN"], ["ALL"], false, 40)).toEqual(["CAP_CHOWN"]);
    expect(effectiveCapabilities([], [], true, 40)).toHaveLength(41);
    rejects(() => effectiveCapabilities(["CAP_FLY"], [], false, 40), /invalid value "CAP_FLY" for --cap-add/);
  });
  test("security-opt", () => {
    expect(parseSecurityOpts(["no-new-privileges", "seccomp=unconfined"])).toEqual({ seccomp: "unconfined", noNewPrivileges: true });
    expect(parseSecurityOpts(["seccomp:/p.json"]).seccomp).toEqual({ file: "/p.json" });
    rejects(() => parseSecurityOpts(["selinux=x"]), /husk knows seccomp/);
  });
});

describe("containerSettings", () => {
  const image = { Entrypoint: ["/ep"], Cmd: ["a"], Env: ["X=1"], StopSignal: "SIGUSR1", Labels: { from: "image" }, ExposedPorts: { "80/tcp": {} } };
  test("image config and flags merge as docker does", () => {
    const s = containerSettings({ label: ["k=v"], rm: true, memory: "64m", cpus: "0.5", volume: ["/h:/c", "/anon"] }, image, "docker.io/library/bb:1", [], 2);
    expect(s.config.Entrypoint).toEqual(["/ep"]);
    expect(s.config.Cmd).toEqual(["a"]);
    expect(s.config.Labels).toEqual({ from: "image", k: "v" });
    expect(s.config.StopSignal).toBe("SIGUSR1");
    expect(s.config.ExposedPorts).toEqual({ "80/tcp": {} });
    expect(s.hostConfig.AutoRemove).toBe(true);
    expect(s.hostConfig.Memory).toBe(64 << 20);
    expect(s.hostConfig.NanoCpus).toBe(5e8);
    expect(s.hostConfig.Binds).toEqual(["/h:/c"]);
    expect(s.hostConfig.Mounts.map((m) => m.Target)).toEqual(["/c", "/anon"]);
    expect(s.hostConfig.NetworkMode).toBe("bridge");
    expect(s.networks).toEqual({ bridge: expect.objectContaining({ Interface: "eth0", Aliases: [], IPAMConfig: {} }) });
  });
  test("--entrypoint drops the image's Cmd; a command replaces it", () => {
    expect(containerSettings({ entrypoint: "/bin/sh" }, image, "x", []).config.Cmd).toBeNull();
    expect(containerSettings({ entrypoint: "/bin/sh" }, image, "x", ["-c", "true"]).config.Cmd).toEqual(["-c", "true"]);
  });
  test("conflicts", () => {
    rejects(() => containerSettings({ rm: true, restart: "always" }, image, "x", []), /conflicts with --rm/);
    rejects(() => containerSettings({ volume: ["/a:/x"], tmpfs: ["/x"] }, image, "x", []), /same container path/);
    rejects(() => containerSettings({ workdir: "rel" }, image, "x", []), /must be an absolute path/);
  });
});
