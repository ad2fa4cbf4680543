import { describe, expect, test } from "bun:test";

import { defaultSpec } from "../../src/oci/default-spec.ts";
import { CAPABILITIES, CAPABILITY_NAMES, SpecError, parseSpec, validateSpec } from "../../src/oci/validate.ts";

// A valid spec as plain JSON data, mutated by each case.
type Json = any;

function base(): Json {
  return JSON.parse(JSON.stringify(defaultSpec({ rootless: false })));
}

/** Validate `base()` after `mutate`, and return the SpecError it must throw. */
function errorOf(mutate: (s: Json) => void, opts?: { requireProcess?: boolean }): SpecError {
  const s = base();
  mutate(s);
  try {
    validateSpec(s, opts);
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
  throw new Error("expected a SpecError, but the spec validated");
}

function expectError(mutate: (s: Json) => void, path: string, message: string): void {
  const err = errorOf(mutate);
  expect(err.message).toBe(message);
  expect(err.path).toBe(path);
  expect(err.message.includes("\n")).toBe(false);
}

describe("validateSpec: accepted documents", () => {
  test("the default spec and the rootless default spec validate", () => {
    expect(validateSpec(base()).ociVersion).toBe("1.2.1");
    expect(validateSpec(JSON.parse(JSON.stringify(defaultSpec({ rootless: true })))).linux?.uidMappings).toHaveLength(1);
  });

  test("any 1.x version is accepted", () => {
    for (const v of ["1.0.0", "1.0.2-dev", "1.1.0-rc.1", "1.2.1", "1.99.0+build.5"]) {
      const s = base();
      s.ociVersion = v;
      expect(validateSpec(s).ociVersion).toBe(v);
    }
  });

  test("unknown fields are kept, nulls are dropped, the input is not modified", () => {
    const s = base();
    s.vendorExtension = { a: 1 };
    s.process.someFutureField = true;
    s.mounts = null;
    s.process.user = {};
    const out = validateSpec(s) as Json;
    expect(out.vendorExtension).toEqual({ a: 1 });
    expect(out.process.someFutureField).toBe(true);
    expect("mounts" in out).toBe(false);
    expect(out.process.user).toEqual({ uid: 0, gid: 0 });
    expect(s.mounts).toBeNull();
    expect(s.process.user).toEqual({});
  });

  test("process may be absent when not required", () => {
    const s = base();
    delete s.process;
    expect(validateSpec(s, { requireProcess: false }).process).toBeUndefined();
  });

  test("a full-featured Linux section validates", () => {
    const s = base();
    s.linux.namespaces.push({ type: "user" }, { type: "time" });
    s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux.timeOffsets = { monotonic: { secs: 100, nanosecs: 5 }, boottime: { secs: -3 } };
    s.linux.devices = [
      { path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 438, uid: 0, gid: 0 },
      { path: "/dev/fifo0", type: "p" },
    ];
    s.linux.sysctl = { "net.ipv4.ip_forward": "1" };
    s.linux.rootfsPropagation = "rslave";
    s.linux.personality = { domain: "LINUX32" };
    s.linux.seccomp = { defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["getcwd"], action: "SCMP_ACT_ALLOW" }] };
    s.linux.resources = {
      devices: [{ allow: false, access: "rwm" }, { allow: true, type: "c", major: 10, minor: 229, access: "rw" }],
      memory: { limit: 536870912, reservation: 536870912, swap: -1, swappiness: 0, disableOOMKiller: false },
      cpu: { shares: 1024, quota: -1, period: 100000, cpus: "0-1", mems: "0" },
      pids: { limit: 32771 },
      blockIO: { weight: 10, weightDevice: [{ major: 8, minor: 0, weight: 500 }], throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 600 }] },
      hugepageLimits: [{ pageSize: "2MB", limit: 9223372036854772000 }],
      network: { classID: 1048577, priorities: [{ name: "eth0", priority: 500 }] },
      rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 } },
      unified: { "memory.high": "max" },
    };
    s.process.rlimits.push({ type: "RLIMIT_CORE", soft: 0, hard: 18446744073709551615 });
    s.process.oomScoreAdj = -1000;
    s.process.scheduler = { policy: "SCHED_FIFO", priority: 10, flags: ["SCHED_FLAG_RESET_ON_FORK"] };
    s.process.ioPriority = { class: "IOPRIO_CLASS_BE", priority: 4 };
    s.process.execCPUAffinity = { initial: "0-3,7", final: "4" };
    s.hooks = { createRuntime: [{ path: "/usr/bin/hook", args: ["hook", "x"], timeout: 5 }] };
    s.annotations = { "io.example/key": "v" };
    expect(() => validateSpec(s)).not.toThrow();
  });
});

describe("validateSpec: ociVersion and root", () => {
  test("ociVersion is required and must be 1.x SemVer", () => {
    expectError((s) => delete s.ociVersion, "ociVersion", "ociVersion: is required");
    expectError((s) => (s.ociVersion = 1), "ociVersion", "ociVersion: must be a string");
    expectError((s) => (s.ociVersion = "2.0.0"), "ociVersion", 'ociVersion: "2.0.0" is not supported (husk speaks runtime-spec 1.x)');
    expectError((s) => (s.ociVersion = "0.5.0-dev"), "ociVersion", 'ociVersion: "0.5.0-dev" is not supported (husk speaks runtime-spec 1.x)');
    expectError((s) => (s.ociVersion = "1.0"), "ociVersion", 'ociVersion: "1.0" is not a SemVer version such as "1.2.0"');
  });

  test("root and root.path are required", () => {
    expectError((s) => delete s.root, "root", "root: is required");
    expectError((s) => (s.root = "rootfs"), "root", "root: must be an object");
    expectError((s) => delete s.root.path, "root.path", "root.path: is required");
    expectError((s) => (s.root.path = ""), "root.path", "root.path: must be a non-empty string");
    expectError((s) => (s.root.readonly = "yes"), "root.readonly", "root.readonly: must be a boolean");
  });

  test("the document must be an object", () => {
    expect(() => validateSpec([])).toThrow("config must be a JSON object");
  });
});

describe("validateSpec: process", () => {
  test("process is required for create/run", () => {
    expectError((s) => delete s.process, "process", "process: is required");
  });

  test("args", () => {
    expectError((s) => delete s.process.args, "process.args", "process.args: is required");
    expectError((s) => (s.process.args = "sh"), "process.args", "process.args: must be an array");
    expectError((s) => (s.process.args = []), "process.args", "process.args: must not be empty");
    expectError((s) => (s.process.args = [""]), "process.args[0]", "process.args[0]: must be a non-empty string");
    expectError((s) => (s.process.args = ["sh", 3]), "process.args[1]", "process.args[1]: must be a string");
    expectError((s) => (s.process.args = ["sh", "a\0b"]), "process.args[1]", "process.args[1]: must not contain a NUL byte");
  });

  test("cwd must be absolute", () => {
    expectError((s) => delete s.process.cwd, "process.cwd", "process.cwd: is required");
    expectError((s) => (s.process.cwd = "tmp"), "process.cwd", "process.cwd: must be an absolute path");
    expectError((s) => (s.process.cwd = 7), "process.cwd", "process.cwd: must be a string");
  });

  test("env entries are KEY=VALUE strings", () => {
    expectError((s) => (s.process.env = ["A=1", "FOO"]), "process.env[1]", 'process.env[1]: must be a KEY=VALUE string (got "FOO")');
    expectError((s) => (s.process.env = ["=x"]), "process.env[0]", 'process.env[0]: must be a KEY=VALUE string (got "=x")');
    expectError((s) => (s.process.env = [1]), "process.env[0]", "process.env[0]: must be a string");
  });

  test("user ids are 32-bit unsigned integers", () => {
    expectError((s) => (s.process.user.uid = -1), "process.user.uid", "process.user.uid: must be an integer from 0 to 4294967295 (got -1)");
    expectError((s) => (s.process.user.gid = 2 ** 32), "process.user.gid", "process.user.gid: must be an integer from 0 to 4294967295 (got 4294967296)");
    expectError((s) => (s.process.user.uid = 1.5), "process.user.uid", "process.user.uid: must be an integer from 0 to 4294967295");
    expectError((s) => (s.process.user.uid = "0"), "process.user.uid", "process.user.uid: must be an integer from 0 to 4294967295");
    expectError(
      (s) => (s.process.user.additionalGids = [5, -2]),
      "process.user.additionalGids[1]",
      "process.user.additionalGids[1]: must be an integer from 0 to 4294967295 (got -2)",
    );
  });

  test("capabilities must be known names", () => {
    expectError(
      (s) => (s.process.capabilities.bounding = ["CAP_KILL", "CAP_FOO"]),
      "process.capabilities.bounding[1]",
      'process.capabilities.bounding[1]: unknown capability "CAP_FOO"',
    );
    expectError((s) => (s.process.capabilities.ambient = ["kill"]), "process.capabilities.ambient[0]", 'process.capabilities.ambient[0]: unknown capability "kill"');
    expectError((s) => (s.process.capabilities = ["CAP_KILL"]), "process.capabilities", "process.capabilities: must be an object");
  });

  test("rlimits: known types, soft <= hard, no duplicates", () => {
    expectError(
      (s) => (s.process.rlimits = [{ type: "RLIMIT_FOO", soft: 1, hard: 1 }]),
      "process.rlimits[0].type",
      'process.rlimits[0].type: unknown rlimit type "RLIMIT_FOO"',
    );
    expectError(
      (s) => (s.process.rlimits = [{ type: "RLIMIT_NOFILE", soft: 2048, hard: 1024 }]),
      "process.rlimits[0].soft",
      "process.rlimits[0].soft: soft limit 2048 is above the hard limit 1024",
    );
    expectError(
      (s) => s.process.rlimits.push({ type: "RLIMIT_NOFILE", soft: 1, hard: 1 }),
      "process.rlimits[1].type",
      'process.rlimits[1].type: duplicate rlimit type "RLIMIT_NOFILE" (also at process.rlimits[0])',
    );
    expectError(
      (s) => (s.process.rlimits = [{ type: "RLIMIT_NOFILE", soft: 1 }]),
      "process.rlimits[0].hard",
      "process.rlimits[0].hard: is required",
    );
  });

  test("oomScoreAdj, consoleSize, terminal, scheduler, ioPriority", () => {
    expectError((s) => (s.process.oomScoreAdj = 1001), "process.oomScoreAdj", "process.oomScoreAdj: must be an integer from -1000 to 1000 (got 1001)");
    expectError((s) => (s.process.consoleSize = { height: 24, width: -1 }), "process.consoleSize.width", "process.consoleSize.width: must be an integer from 0 to 4294967295 (got -1)");
    expectError((s) => (s.process.consoleSize = { height: 24 }), "process.consoleSize.width", "process.consoleSize.width: is required");
    expectError((s) => (s.process.terminal = "true"), "process.terminal", "process.terminal: must be a boolean");
    expectError(
      (s) => (s.process.scheduler = { policy: "SCHED_FAST" }),
      "process.scheduler.policy",
      'process.scheduler.policy: unknown scheduler policy "SCHED_FAST" (expected one of SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE)',
    );
    expectError((s) => (s.process.ioPriority = { class: "IOPRIO_CLASS_BE", priority: 8 }), "process.ioPriority.priority", "process.ioPriority.priority: must be an integer from 0 to 7 (got 8)");
    expectError((s) => (s.process.execCPUAffinity = { initial: "0-" }), "process.execCPUAffinity.initial", 'process.execCPUAffinity.initial: must be a CPU list such as "0-3,7" (got "0-")');
    expectError((s) => (s.process.noNewPrivileges = 1), "process.noNewPrivileges", "process.noNewPrivileges: must be a boolean");
  });
});

describe("validateSpec: mounts and hooks", () => {
  test("mount destinations are absolute, options are strings", () => {
    expectError((s) => (s.mounts[1].destination = "dev"), "mounts[1].destination", "mounts[1].destination: must be an absolute path");
    expectError((s) => delete s.mounts[0].destination, "mounts[0].destination", "mounts[0].destination: is required");
    expectError((s) => (s.mounts[1].options = ["nosuid", 1]), "mounts[1].options[1]", "mounts[1].options[1]: must be a string");
    expectError((s) => (s.mounts = {}), "mounts", "mounts: must be an array");
    expectError((s) => (s.mounts[2] = "x"), "mounts[2]", "mounts[2]: must be an object");
    expectError(
      (s) => (s.mounts[0].uidMappings = [{ containerID: 0, hostID: 1000, size: 0 }]),
      "mounts[0].uidMappings[0].size",
      "mounts[0].uidMappings[0].size: must be an integer from 1 to 4294967295 (got 0)",
    );
  });

  test("hooks: absolute path, positive timeout", () => {
    expectError((s) => (s.hooks = { poststart: [{ path: "hook" }] }), "hooks.poststart[0].path", "hooks.poststart[0].path: must be an absolute path");
    expectError((s) => (s.hooks = { prestart: [{ path: "/bin/true", timeout: 0 }] }), "hooks.prestart[0].timeout", "hooks.prestart[0].timeout: must be a positive integer (got 0)");
    expectError((s) => (s.hooks = { poststop: [{ path: "/bin/true", args: "x" }] }), "hooks.poststop[0].args", "hooks.poststop[0].args: must be an array");
    expectError((s) => (s.hooks = { createContainer: {} }), "hooks.createContainer", "hooks.createContainer: must be an array");
  });

  test("annotations are a string map with non-empty keys", () => {
    expectError((s) => (s.annotations = { "io.example.n": 1 }), 'annotations["io.example.n"]', 'annotations["io.example.n"]: must be a string');
    expectError((s) => (s.annotations = { "": "x" }), 'annotations[""]', 'annotations[""]: annotation keys must not be empty');
  });

  test("hostname needs a uts namespace", () => {
    expectError(
      (s) => (s.linux.namespaces = s.linux.namespaces.filter((n: Json) => n.type !== "uts")),
      "hostname",
      'hostname: can only be set with a "uts" entry in linux.namespaces',
    );
    expectError((s) => (s.hostname = 5), "hostname", "hostname: must be a string");
  });
});

describe("validateSpec: linux", () => {
  test("namespaces: known types, no duplicates, absolute paths", () => {
    expectError(
      (s) => (s.linux.namespaces[2] = { type: "foo" }),
      "linux.namespaces[2].type",
      'linux.namespaces[2].type: unknown namespace type "foo" (expected one of pid, network, mount, ipc, uts, user, cgroup, time)',
    );
    expectError(
      (s) => s.linux.namespaces.push({ type: "pid", path: "/proc/1/ns/pid" }),
      "linux.namespaces[6].type",
      'linux.namespaces[6].type: duplicate namespace type "pid" (also at linux.namespaces[0])',
    );
    expectError((s) => (s.linux.namespaces[1].path = "run/netns/x"), "linux.namespaces[1].path", "linux.namespaces[1].path: must be an absolute path");
    expectError((s) => delete s.linux.namespaces[0].type, "linux.namespaces[0].type", "linux.namespaces[0].type: is required");
  });

  test("user namespace and id mappings go together", () => {
    expectError(
      (s) => s.linux.namespaces.push({ type: "user" }),
      "linux.uidMappings",
      "linux.uidMappings: must not be empty when a new user namespace is created (linux.namespaces[6])",
    );
    expectError(
      (s) => {
        s.linux.namespaces.push({ type: "user" });
        s.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      },
      "linux.gidMappings",
      "linux.gidMappings: must not be empty when a new user namespace is created (linux.namespaces[6])",
    );
    expectError(
      (s) => (s.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]),
      "linux.uidMappings",
      'linux.uidMappings: requires a user namespace (no "user" entry in linux.namespaces)',
    );
    expectError(
      (s) => {
        s.linux.namespaces.push({ type: "user" });
        s.linux.uidMappings = [{ containerID: 0, hostID: -5, size: 1 }];
      },
      "linux.uidMappings[0].hostID",
      "linux.uidMappings[0].hostID: must be an integer from 0 to 4294967295 (got -5)",
    );
    // Joining an existing user namespace needs no mappings.
    const s = base();
    s.linux.namespaces.push({ type: "user", path: "/proc/1/ns/user" });
    expect(() => validateSpec(s)).not.toThrow();
  });

  test("timeOffsets need a new time namespace and known clocks", () => {
    expectError(
      (s) => (s.linux.timeOffsets = { monotonic: { secs: 1 } }),
      "linux.timeOffsets",
      'linux.timeOffsets: requires a new time namespace ("time" entry without a path in linux.namespaces)',
    );
    expectError(
      (s) => {
        s.linux.namespaces.push({ type: "time" });
        s.linux.timeOffsets = { realtime: { secs: 1 } };
      },
      "linux.timeOffsets.realtime",
      'linux.timeOffsets.realtime: unknown clock "realtime" (expected one of monotonic, boottime)',
    );
  });

  test("devices", () => {
    expectError(
      (s) => (s.linux.devices = [{ path: "/dev/x", type: "z", major: 1, minor: 1 }]),
      "linux.devices[0].type",
      'linux.devices[0].type: unknown device type "z" (expected one of c, b, u, p)',
    );
    expectError((s) => (s.linux.devices = [{ path: "dev/x", type: "c", major: 1, minor: 1 }]), "linux.devices[0].path", "linux.devices[0].path: must be an absolute path");
    expectError((s) => (s.linux.devices = [{ path: "/dev/x", type: "b", major: 8 }]), "linux.devices[0].minor", 'linux.devices[0].minor: is required for device type "b"');
    expectError((s) => (s.linux.devices = [{ path: "/dev/x", type: "c", major: "1", minor: 1 }]), "linux.devices[0].major", "linux.devices[0].major: must be an integer from 0 to 4294967295");
  });

  test("sysctl, personality, rootfsPropagation, masked and read-only paths", () => {
    expectError((s) => (s.linux.sysctl = { "net.ipv4.ip_forward": 1 }), 'linux.sysctl["net.ipv4.ip_forward"]', 'linux.sysctl["net.ipv4.ip_forward"]: must be a string');
    expectError((s) => (s.linux.personality = { domain: "BSD" }), "linux.personality.domain", 'linux.personality.domain: unknown personality domain "BSD" (expected one of LINUX, LINUX32)');
    expectError(
      (s) => (s.linux.rootfsPropagation = "recursive"),
      "linux.rootfsPropagation",
      'linux.rootfsPropagation: unknown propagation "recursive" (expected one of private, rprivate, slave, rslave, shared, rshared, unbindable, runbindable)',
    );
    expectError((s) => s.linux.maskedPaths.push("proc/kcore"), "linux.maskedPaths[11]", "linux.maskedPaths[11]: must be an absolute path");
    expectError((s) => (s.linux.readonlyPaths = "/proc/sys"), "linux.readonlyPaths", "linux.readonlyPaths: must be an array");
    expectError((s) => (s.linux.cgroupsPath = 12), "linux.cgroupsPath", "linux.cgroupsPath: must be a string");
  });

  test("seccomp errors carry the seccomp path", () => {
    expectError(
      (s) => (s.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["read"], action: "SCMP_ACT_FOO" }] }),
      "linux.seccomp.syscalls[0].action",
      'linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_FOO"',
    );
    expectError((s) => (s.linux.seccomp = []), "linux.seccomp", "linux.seccomp: must be an object");
  });

  test("resources", () => {
    expectError((s) => (s.linux.resources.devices[0].access = "rwx"), "linux.resources.devices[0].access", 'linux.resources.devices[0].access: must contain only the letters r, w and m (got "rwx")');
    expectError((s) => delete s.linux.resources.devices[0].allow, "linux.resources.devices[0].allow", "linux.resources.devices[0].allow: is required");
    expectError((s) => (s.linux.resources.memory = { limit: "1g" }), "linux.resources.memory.limit", "linux.resources.memory.limit: must be an integer");
    expectError((s) => (s.linux.resources.memory = { swappiness: -1 }), "linux.resources.memory.swappiness", "linux.resources.memory.swappiness: must be a non-negative integer (got -1)");
    expectError((s) => (s.linux.resources.cpu = { cpus: 3 }), "linux.resources.cpu.cpus", "linux.resources.cpu.cpus: must be a string");
    expectError((s) => (s.linux.resources.pids = {}), "linux.resources.pids.limit", "linux.resources.pids.limit: is required");
    expectError((s) => (s.linux.resources.blockIO = { weight: 70000 }), "linux.resources.blockIO.weight", "linux.resources.blockIO.weight: must be an integer from 0 to 65535 (got 70000)");
    expectError(
      (s) => (s.linux.resources.blockIO = { throttleWriteIOPSDevice: [{ major: 8, minor: 0 }] }),
      "linux.resources.blockIO.throttleWriteIOPSDevice[0].rate",
      "linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: is required",
    );
    expectError((s) => (s.linux.resources.hugepageLimits = [{ pageSize: "2M", limit: 1 }]), "linux.resources.hugepageLimits[0].pageSize", 'linux.resources.hugepageLimits[0].pageSize: must be a size such as "2MB" or "1GB" (got "2M")');
    expectError((s) => (s.linux.resources.rdma = { mlx: { hcaHandles: -1 } }), "linux.resources.rdma.mlx.hcaHandles", "linux.resources.rdma.mlx.hcaHandles: must be an integer from 0 to 4294967295 (got -1)");
    expectError((s) => (s.linux.resources.unified = { "memory.max": 5 }), 'linux.resources.unified["memory.max"]', 'linux.resources.unified["memory.max"]: must be a string');
    expectError((s) => (s.linux.resources.network = { priorities: [{ name: "eth0" }] }), "linux.resources.network.priorities[0].priority", "linux.resources.network.priorities[0].priority: is required");
  });
});

describe("parseSpec", () => {
  test("malformed JSON names the line and column", () => {
    const text = '{\n  "ociVersion": "1.2.1",\n  "root": {"path": "rootfs"} x\n}';
    let err: unknown;
    try {
      parseSpec(text, "config.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect((err as SpecError).message).toBe('config.json: invalid JSON at line 3 column 30: expected "," or "}", got "x"');
  });

  test("other JSON mistakes", () => {
    const msg = (text: string) => {
      try {
        parseSpec(text, "b/config.json");
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(msg("")).toBe("b/config.json: invalid JSON at line 1 column 1: unexpected end of input");
    expect(msg('{"a": [1, 2,]}')).toBe("b/config.json: invalid JSON at line 1 column 13: trailing comma before ]");
    expect(msg('{"a": 1,}')).toBe("b/config.json: invalid JSON at line 1 column 9: trailing comma before }");
    expect(msg('{"a": "x\ny"}')).toBe("b/config.json: invalid JSON at line 1 column 9: control character in string (escape it)");
    expect(msg('{"a": tru}')).toBe('b/config.json: invalid JSON at line 1 column 10: unexpected character "}"');
    expect(msg('{"a": 01}')).toBe('b/config.json: invalid JSON at line 1 column 8: expected "," or "}", got "1"');
    expect(msg('{"a": "\\q"}')).toBe("b/config.json: invalid JSON at line 1 column 8: invalid escape \\q in string");
    expect(msg('{"a": 1} {}')).toBe('b/config.json: invalid JSON at line 1 column 10: unexpected "{" after the end of the document');
    expect(msg('{"a": "open')).toBe("b/config.json: invalid JSON at line 1 column 7: unterminated string");
  });

  test("validation errors keep their path and record the source", () => {
    const s = base();
    s.process.args = [""];
    let err: SpecError | undefined;
    try {
      parseSpec(JSON.stringify(s), "/bundle/config.json");
    } catch (e) {
      err = e as SpecError;
    }
    expect(err?.message).toBe("process.args[0]: must be a non-empty string");
    expect(err?.path).toBe("process.args[0]");
    expect(err?.source).toBe("/bundle/config.json");
  });

  test("a valid document parses", () => {
    expect(parseSpec(JSON.stringify(base()), "config.json").hostname).toBe("husk");
  });
});

describe("capability table", () => {
  test("numbers run from CAP_CHOWN=0 to CAP_CHECKPOINT_RESTORE=40 without gaps", () => {
    expect(CAPABILITIES.CAP_CHOWN).toBe(0);
    expect(CAPABILITIES.CAP_SYS_ADMIN).toBe(21);
    expect(CAPABILITIES.CAP_CHECKPOINT_RESTORE).toBe(40);
    expect(CAPABILITY_NAMES.map((n): number => CAPABILITIES[n])).toEqual(Array.from({ length: 41 }, (_, i) => i));
  });
});
