/**
 * The config.json that `husk oci spec` writes: the same content as `runc spec` (and
 * `runc spec --rootless`), with hostname "husk".
 */
import { type Linux, type LinuxNamespace, type Mount, OCI_VERSION, type Spec } from "./spec.ts";

export interface DefaultSpecOptions {
  /** A spec for an unprivileged user: user namespace, no network namespace, no cgroup limits. */
  rootless: boolean;
  /**
   * Add a cgroup namespace. runc adds one on cgroup-v2-only hosts; husk defaults to adding
   * it everywhere, since cgroup namespaces work on v1 and hybrid hosts as well.
   */
  cgroupNamespace?: boolean;
  /** Host uid/gid mapped to root in the rootless variant; default: the effective ids of this process. */
  uid?: number;
  gid?: number;
}

const DEFAULT_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

/** runc's default masked paths. */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/proc/scsi",
  "/sys/devices/virtual/tpm",
];

/** runc's default read-only paths. */
export const DEFAULT_READONLY_PATHS: readonly string[] = [
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
];

function defaultMounts(rootless: boolean): Mount[] {
  const devptsOptions = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"];
  // gid=5 (tty) does not exist in a user namespace that maps only the caller.
  if (!rootless) devptsOptions.push("gid=5");
  const sys: Mount = rootless
    ? { destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"] }
    : { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] };
  return [
    { destination: "/proc", type: "proc", source: "proc" },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { destination: "/dev/pts", type: "devpts", source: "devpts", options: devptsOptions },
    {
      destination: "/dev/shm",
      type: "tmpfs",
      source: "shm",
      options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
    },
    { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
    sys,
    {
      destination: "/sys/fs/cgroup",
      type: "cgroup",
      source: "cgroup",
      options: ["nosuid", "noexec", "nodev", "relatime", "ro"],
    },
  ];
}

export function defaultSpec(opts: DefaultSpecOptions): Spec {
  const { rootless } = opts;
  const namespaces: LinuxNamespace[] = [{ type: "pid" }];
  if (!rootless) namespaces.push({ type: "network" });
  namespaces.push({ type: "ipc" }, { type: "uts" }, { type: "mount" });
  if (opts.cgroupNamespace ?? true) namespaces.push({ type: "cgroup" });
  if (rootless) namespaces.push({ type: "user" });

  // Keys in the order runc writes them (Go struct order), so the files diff cleanly.
  const linux: Linux = {};
  if (rootless) {
    const uid = opts.uid ?? process.geteuid?.() ?? 0;
    const gid = opts.gid ?? process.getegid?.() ?? 0;
    linux.uidMappings = [{ containerID: 0, hostID: uid, size: 1 }];
    linux.gidMappings = [{ containerID: 0, hostID: gid, size: 1 }];
  } else {
    // An unprivileged user cannot set cgroup limits, so runc drops `resources` when rootless.
    linux.resources = { devices: [{ allow: false, access: "rwm" }] };
  }
  linux.namespaces = namespaces;
  linux.maskedPaths = [...DEFAULT_MASKED_PATHS];
  linux.readonlyPaths = [...DEFAULT_READONLY_PATHS];

  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ["sh"],
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
      cwd: "/",
      capabilities: {
        bounding: [...DEFAULT_CAPS],
        effective: [...DEFAULT_CAPS],
        permitted: [...DEFAULT_CAPS],
      },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: true },
    hostname: "husk",
    mounts: defaultMounts(rootless),
    linux,
  };
}
