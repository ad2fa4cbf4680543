import { describe, expect, test } from "bun:test";

import pkg from "../../package.json" with { type: "json" };
import { defaultSpec } from "../../src/oci/default-spec.ts";
import { FEATURE_ANNOTATIONS, runtimeFeatures } from "../../src/oci/features.ts";
import { KNOWN_MOUNT_OPTIONS, parseMountOptions } from "../../src/oci/mount-options.ts";
import { CAPABILITY_NAMES, NAMESPACE_TYPES, OCI_VERSION } from "../../src/oci/spec.ts";
import { validateSpec } from "../../src/oci/validate.ts";

/** Field names of the Features structure, from runtime-spec features.md / features-linux.md. */
const SPEC_FIELDS: Record<string, string[]> = {
  "": ["ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations", "potentiallyUnsafeConfigAnnotations"],
  linux: ["namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt", "mountExtensions", "netDevices"],
  "linux.cgroup": ["v1", "v2", "systemd", "systemdUser", "rdma"],
  "linux.seccomp": ["enabled", "actions", "operators", "archs", "knownFlags", "supportedFlags"],
  "linux.apparmor": ["enabled"],
  "linux.selinux": ["enabled"],
  "linux.intelRdt": ["enabled", "schemata"],
  "linux.mountExtensions": ["idmap"],
  "linux.mountExtensions.idmap": ["enabled"],
};

/** Every object path in `v` that holds named fields (annotations excluded: free-form keys). */
function objectPaths(v: unknown, path = "", out: [string, string[]][] = []): [string, string[]][] {
  if (typeof v === "object" && v !== null && !Array.isArray(v) && path !== "annotations") {
    out.push([path, Object.keys(v)]);
    for (const [k, child] of Object.entries(v)) objectPaths(child, path === "" ? k : `${path}.${k}`, out);
  }
  return out;
}

describe("runtimeFeatures", () => {
  const f = runtimeFeatures({ seccompAvailable: true, libseccompVersion: "2.5.4" });

  test("uses only the runtime-spec's field names", () => {
    for (const [path, keys] of objectPaths(JSON.parse(JSON.stringify(f)))) {
      const allowed = SPEC_FIELDS[path];
      expect({ path, known: allowed !== undefined }).toEqual({ path, known: true });
      for (const k of keys) expect({ path, k, ok: allowed?.includes(k) }).toEqual({ path, k, ok: true });
    }
  });

  test("versions: 1.0.0 up to the version `husk oci spec` writes", () => {
    expect(f.ociVersionMin).toBe("1.0.0");
    expect(f.ociVersionMax).toBe(OCI_VERSION);
    expect(defaultSpec({ rootless: false }).ociVersion).toBe(f.ociVersionMax);
    // Both bounds are accepted by the validator.
    for (const v of [f.ociVersionMin, f.ociVersionMax]) {
      const s = defaultSpec({ rootless: false });
      s.ociVersion = v;
      expect(() => validateSpec(s)).not.toThrow();
    }
  });

  test("lists every hook, namespace type and capability", () => {
    expect(f.hooks).toEqual(["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]);
    expect([...f.linux.namespaces].sort()).toEqual(["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"]);
    expect(f.linux.namespaces).toHaveLength(NAMESPACE_TYPES.length);
    expect(f.linux.capabilities).toEqual([...CAPABILITY_NAMES]);
    expect(f.linux.capabilities).toHaveLength(41);
    expect(f.linux.capabilities[0]).toBe("CAP_CHOWN");
    expect(f.linux.capabilities[40]).toBe("CAP_CHECKPOINT_RESTORE");
  });

  test("every namespace and capability it lists is accepted in a config", () => {
    const s = defaultSpec({ rootless: false }) as any;
    s.linux.namespaces = f.linux.namespaces.map((type) => ({ type }));
    s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.process.capabilities.bounding = f.linux.capabilities;
    expect(() => validateSpec(s)).not.toThrow();
  });

  test("mountOptions are exactly the options the mount-option parser interprets", () => {
    expect(f.mountOptions).toEqual([...KNOWN_MOUNT_OPTIONS]);
    for (const o of ["ro", "rw", "rbind", "rro", "rnosymfollow", "idmap", "ridmap", "tmpcopyup", "rprivate", "strictatime"]) {
      expect(f.mountOptions).toContain(o);
    }
    for (const o of f.mountOptions) expect(parseMountOptions([o]).data).toBe("");
  });

  test("cgroup and security modules", () => {
    expect(f.linux.cgroup).toEqual({ v1: true, v2: true, systemd: false, systemdUser: false, rdma: true });
    expect(f.linux.apparmor).toEqual({ enabled: false });
    expect(f.linux.selinux).toEqual({ enabled: false });
    expect(f.linux.intelRdt).toEqual({ enabled: false });
    expect(f.linux.mountExtensions).toEqual({ idmap: { enabled: true } });
    expect(runtimeFeatures({ seccompAvailable: true, idmapMounts: false }).linux.mountExtensions.idmap.enabled).toBe(false);
  });

  test("seccomp lists", () => {
    const s = f.linux.seccomp;
    expect(s.enabled).toBe(true);
    expect(s.actions).toContain("SCMP_ACT_NOTIFY");
    expect(s.actions).toHaveLength(9);
    expect(s.operators).toEqual([
      "SCMP_CMP_EQ",
      "SCMP_CMP_GE",
      "SCMP_CMP_GT",
      "SCMP_CMP_LE",
      "SCMP_CMP_LT",
      "SCMP_CMP_MASKED_EQ",
      "SCMP_CMP_NE",
    ]);
    expect(s.archs).toContain("SCMP_ARCH_X86_64");
    expect(s.archs).toContain("SCMP_ARCH_AARCH64");
    expect(s.knownFlags).toContain("SECCOMP_FILTER_FLAG_LOG");
    expect(s.supportedFlags).toEqual(s.knownFlags);
  });

  test("seccomp unavailable: enabled false and no supported flags", () => {
    const s = runtimeFeatures({ seccompAvailable: false }).linux.seccomp;
    expect(s.enabled).toBe(false);
    expect(s.supportedFlags).toEqual([]);
    const some = runtimeFeatures({ seccompAvailable: true, seccompSupportedFlags: ["SECCOMP_FILTER_FLAG_LOG"] });
    expect(some.linux.seccomp.supportedFlags).toEqual(["SECCOMP_FILTER_FLAG_LOG"]);
  });

  test("annotations carry husk's and libseccomp's versions", () => {
    expect(f.annotations).toEqual({
      [FEATURE_ANNOTATIONS.version]: pkg.version,
      [FEATURE_ANNOTATIONS.libseccompVersion]: "2.5.4",
    });
    expect(runtimeFeatures({ seccompAvailable: false, version: "9.9.9" }).annotations).toEqual({
      "io.github.husk.version": "9.9.9",
    });
  });
});

// When runc is installed, every field runc prints that husk also prints has the same JSON
// type, and husk knows at least the mount options, namespaces and capabilities runc knows.
const runc = Bun.which("runc");
describe.skipIf(runc === null)("compared with `runc features`", () => {
  test("same field names and types, a superset of runc's vocabularies", () => {
    const r = Bun.spawnSync([runc as string, "features"]);
    expect(r.exitCode).toBe(0);
    const theirs = JSON.parse(r.stdout.toString());
    const ours = JSON.parse(JSON.stringify(runtimeFeatures({ seccompAvailable: true })));
    const theirPaths = new Map(objectPaths(theirs));
    for (const [path, keys] of objectPaths(ours)) {
      const theirKeys = theirPaths.get(path);
      if (theirKeys === undefined) continue;
      for (const k of keys.filter((k) => theirKeys.includes(k))) {
        const get = (o: any) => (path === "" ? o : path.split(".").reduce((a, p) => a[p], o))[k];
        expect({ at: `${path}.${k}`, type: typeof get(ours) }).toEqual({ at: `${path}.${k}`, type: typeof get(theirs) });
      }
    }
    for (const o of theirs.mountOptions) expect(ours.mountOptions).toContain(o);
    for (const n of theirs.linux.namespaces) expect(ours.linux.namespaces).toContain(n);
    expect(ours.linux.capabilities).toEqual(theirs.linux.capabilities);
    for (const a of theirs.linux.seccomp.actions) expect(ours.linux.seccomp.actions).toContain(a);
    for (const a of theirs.linux.seccomp.archs) expect(ours.linux.seccomp.archs).toContain(a);
  });
});
