// What husk needs from a kernel, judged from facts about the host. Pure: the facts are
// gathered by host-facts.ts, so the judgement is unit-tested with made-up hosts.
import type { KernelFeatures } from "../../native/addon.ts";

export interface HostFacts {
  kernel: string;
  arch: string;
  features: KernelFeatures;
  /** Entries of /proc/self/ns. */
  namespaces: string[];
  /** Controllers usable by husk (v2: cgroup.controllers; v1/hybrid: enabled in /proc/cgroups). */
  controllers: string[];
  /** Kernel modules present (loaded, built in, or loadable from /lib/modules). */
  modules: Record<"veth" | "bridge" | "overlay" | "nf_tables" | "ip_tables", boolean>;
  /** Commands found on PATH. */
  commands: Record<"nft" | "iptables", boolean>;
}

export type CheckStatus = "ok" | "missing" | "degraded";

export interface CheckItem {
  name: string;
  /** Without it husk cannot run containers at all. */
  required: boolean;
  status: CheckStatus;
  detail: string;
  /** What to do about it; set when status is not ok. */
  fix?: string;
}

const REQUIRED_NS = ["mnt", "pid", "uts", "ipc", "net"];
const OPTIONAL_NS = ["cgroup", "user", "time"];
const NS_CONFIG: Record<string, string> = {
  mnt: "CONFIG_NAMESPACES", pid: "CONFIG_PID_NS", uts: "CONFIG_UTS_NS", ipc: "CONFIG_IPC_NS", net: "CONFIG_NET_NS",
  cgroup: "CONFIG_CGROUPS", user: "CONFIG_USER_NS", time: "CONFIG_TIME_NS",
};
const WANTED_CONTROLLERS = ["cpu", "memory", "pids", "cpuset", "io|blkio", "freezer"];

function item(name: string, required: boolean, ok: boolean, detail: string, fix: string, degraded = false): CheckItem {
  if (ok) return { name, required, status: "ok", detail };
  return { name, required, status: required ? "missing" : degraded ? "degraded" : "missing", detail, fix };
}

export function hostChecks(f: HostFacts): CheckItem[] {
  const ns = new Set(f.namespaces);
  const missingNs = REQUIRED_NS.filter((n) => !ns.has(n));
  const optionalNs = OPTIONAL_NS.filter((n) => !ns.has(n));
  const ctl = new Set(f.controllers);
  const missingCtl = WANTED_CONTROLLERS.filter((c) => !c.split("|").some((x) => ctl.has(x)));
  const mode = f.features.cgroupMode;
  const hasModule = (m: keyof HostFacts["modules"]) => f.modules[m];
  return [
    item("namespaces", true, missingNs.length === 0, `present: ${f.namespaces.join(" ") || "none"}`,
      `rebuild the kernel with ${missingNs.map((n) => NS_CONFIG[n]).join(", ")}`),
    item("optional namespaces", false, optionalNs.length === 0, optionalNs.length ? `absent: ${optionalNs.join(" ")}` : "cgroup user time",
      `containers asking for ${optionalNs.join("/")} namespaces fail; rebuild with ${optionalNs.map((n) => NS_CONFIG[n]).join(", ")}`, true),
    item("cgroups", true, mode !== "none", `mode ${mode}${mode === "hybrid" ? " (v1 controllers, cgroup2 at /sys/fs/cgroup/unified)" : ""}`,
      "mount cgroup2 on /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup), or boot with systemd.unified_cgroup_hierarchy=1"),
    item("cgroup controllers", false, missingCtl.length === 0, `usable: ${f.controllers.join(" ") || "none"}`,
      `limits on ${missingCtl.join(", ")} are refused by name; ${mode === "v2" ? "enable them in the parent's cgroup.subtree_control, or" : ""} boot with cgroup_enable=<name> or rebuild with the controller`, true),
    item("seccomp", true, f.features.seccomp, f.features.seccomp ? "filters supported" : "no seccomp filter mode",
      "rebuild the kernel with CONFIG_SECCOMP_FILTER (the default profile needs it)"),
    item("overlay", false, f.features.overlay || hasModule("overlay"), f.features.overlay ? "overlay in /proc/filesystems" : hasModule("overlay") ? "module available (loaded on first mount)" : "no overlay",
      "modprobe overlay (CONFIG_OVERLAY_FS); until then husk copies image layers (slower, more disk)", true),
    item("new mount API", false, f.features.newMountApi, f.features.newMountApi ? "fsopen/fsconfig/fsmount" : "absent",
      "a 5.2+ kernel; until then husk uses mount(2) (overlay option length limits apply)", true),
    item("clone3", false, f.features.clone3, f.features.clone3 ? "clone3 with CLONE_INTO_CGROUP" : "absent",
      "a 5.3+ kernel; until then husk-core uses clone and joins cgroups by pid", true),
    item("user namespaces", false, f.features.userNamespaces, f.features.userNamespaces ? "allowed" : "disabled or absent",
      "sysctl user.max_user_namespaces=15000 (CONFIG_USER_NS); needed only for user-namespaced containers", true),
    item("pidfd", false, f.features.pidfd, f.features.pidfd ? "pidfd_open" : "absent",
      "a 5.3+ kernel; until then signals go by pid", true),
    item("veth and bridge", false, hasModule("veth") && hasModule("bridge"),
      `veth ${hasModule("veth") ? "yes" : "no"}, bridge ${hasModule("bridge") ? "yes" : "no"}`,
      "install the kernel's modules (CONFIG_VETH, CONFIG_BRIDGE); without them only --network none/host work", true),
    item("nftables/iptables", false, (hasModule("nf_tables") && f.commands.nft) || (hasModule("ip_tables") && f.commands.iptables),
      `nf_tables ${hasModule("nf_tables") ? "yes" : "no"} (nft ${f.commands.nft ? "yes" : "no"}), ip_tables ${hasModule("ip_tables") ? "yes" : "no"} (iptables ${f.commands.iptables ? "yes" : "no"})`,
      "apt-get install nftables (CONFIG_NF_TABLES); needed for published ports and NAT on bridge networks", true),
  ];
}

/** Exit status: 1 when a required feature is missing, else 0. */
export function checkExitCode(items: CheckItem[]): number {
  return items.some((i) => i.required && i.status !== "ok") ? 1 : 0;
}

export function renderChecks(f: HostFacts, items: CheckItem[]): string {
  const width = Math.max(...items.map((i) => i.name.length));
  const word = (i: CheckItem) => (i.status === "ok" ? "ok" : i.required ? "MISSING" : "missing");
  const lines = [`husk system check: kernel ${f.kernel} (${f.arch})`];
  for (const i of items) {
    lines.push(`  ${word(i).padEnd(7)}  ${i.name.padEnd(width)}  ${i.detail}`);
    if (i.fix) lines.push(`  ${"".padEnd(7)}  ${"".padEnd(width)}  fix: ${i.fix}`);
  }
  const req = items.filter((i) => i.required && i.status !== "ok").length;
  const opt = items.filter((i) => !i.required && i.status !== "ok").length;
  lines.push(req ? `${req} required feature(s) missing: husk cannot run containers here` : `all required features present${opt ? `; ${opt} optional missing (see fix lines)` : ""}`);
  return `${lines.join("\n")}\n`;
}
