/**
 * The Features structure (runtime-spec features.md, features-linux.md) that
 * `husk oci features` prints, as `runc features` does. It describes what husk was built to
 * understand, not what this host's kernel offers, except where the caller passes a
 * run-time probe (seccomp availability and supported flags).
 */
import pkg from "../../package.json" with { type: "json" };
import { KNOWN_MOUNT_OPTIONS } from "./mount-options.ts";
import { SCMP_ARCH, SCMP_CMP, SECCOMP_FILTER_FLAG } from "./seccomp/normalize.ts";
import type { LinuxSeccompAction } from "./seccomp/types.ts";
import { CAPABILITY_NAMES, HOOK_NAMES, NAMESPACE_TYPES, OCI_VERSION, OCI_VERSION_MIN } from "./spec.ts";

export interface FeaturesOptions {
  /** Whether seccomp filters can be compiled and loaded (husk built with seccomp support). */
  seccompAvailable: boolean;
  /** Version of the libseccomp husk is linked with, reported as an annotation. */
  libseccompVersion?: string;
  /** Filter flags the kernel accepts; default: every known flag when seccomp is available. */
  seccompSupportedFlags?: readonly string[];
  /** Whether idmapped mounts (idmap/ridmap options, mount uidMappings) are implemented. Default true. */
  idmapMounts?: boolean;
  /** husk's version; default: package.json. */
  version?: string;
}

export interface Features {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks: string[];
  mountOptions: string[];
  linux: {
    namespaces: string[];
    capabilities: string[];
    cgroup: { v1: boolean; v2: boolean; systemd: boolean; systemdUser: boolean; rdma: boolean };
    seccomp: {
      enabled: boolean;
      actions: string[];
      operators: string[];
      archs: string[];
      knownFlags: string[];
      supportedFlags: string[];
    };
    apparmor: { enabled: boolean };
    selinux: { enabled: boolean };
    intelRdt: { enabled: boolean };
    mountExtensions: { idmap: { enabled: boolean } };
  };
  annotations: Record<string, string>;
}

/** Annotation keys husk puts in its Features structure. */
export const FEATURE_ANNOTATIONS = {
  version: "io.github.husk.version",
  libseccompVersion: "io.github.seccomp.libseccomp.version",
} as const;

const SECCOMP_ACTIONS: readonly LinuxSeccompAction[] = [
  "SCMP_ACT_ALLOW",
  "SCMP_ACT_ERRNO",
  "SCMP_ACT_KILL",
  "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD",
  "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY",
  "SCMP_ACT_TRACE",
  "SCMP_ACT_TRAP",
];

export function runtimeFeatures(opts: FeaturesOptions): Features {
  const knownFlags = Object.keys(SECCOMP_FILTER_FLAG).sort();
  const supportedFlags = opts.seccompAvailable ? [...(opts.seccompSupportedFlags ?? knownFlags)].sort() : [];
  const annotations: Record<string, string> = {
    [FEATURE_ANNOTATIONS.version]: opts.version ?? pkg.version,
  };
  if (opts.libseccompVersion !== undefined) {
    annotations[FEATURE_ANNOTATIONS.libseccompVersion] = opts.libseccompVersion;
  }
  return {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION,
    hooks: [...HOOK_NAMES],
    mountOptions: [...KNOWN_MOUNT_OPTIONS],
    linux: {
      namespaces: [...NAMESPACE_TYPES].sort(),
      capabilities: [...CAPABILITY_NAMES],
      // husk drives cgroupfs directly (no systemd driver); rdma limits go to rdma.max (src/cgroups/knobs.ts).
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true },
      seccomp: {
        enabled: opts.seccompAvailable,
        actions: [...SECCOMP_ACTIONS],
        operators: Object.keys(SCMP_CMP).sort(),
        archs: Object.keys(SCMP_ARCH).sort(),
        knownFlags,
        supportedFlags,
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: opts.idmapMounts ?? true } },
    },
    annotations,
  };
}
