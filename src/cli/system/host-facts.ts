// The facts `husk system check` judges, read from this host: the addon's kernel probes,
// /proc/self/ns, the cgroup controllers, kernel modules and a few commands on PATH.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { addon } from "../../native/addon.ts";
import type { HostFacts } from "./host-checks.ts";

const read = (p: string) => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return "";
  }
};

function controllers(mode: string): string[] {
  if (mode === "v2") return read("/sys/fs/cgroup/cgroup.controllers").trim().split(/\s+/).filter(Boolean);
  // v1 and hybrid: subsys_name hierarchy num_cgroups enabled
  return read("/proc/cgroups")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(/\s+/))
    .filter((c) => c[3] === "1" && c[1] !== "0")
    .map((c) => c[0]!);
}

// A function each module defines: kernels built without modules.builtin (custom or VM
// kernels) still show built-in code in /proc/kallsyms.
const MODULE_SYMBOL: Record<string, string> = {
  veth: "veth_xmit", bridge: "br_dev_xmit", overlay: "ovl_fill_super", nf_tables: "nft_do_chain", ip_tables: "ipt_do_table",
};
let kallsyms: string | undefined;

/** Loaded (/sys/module), built in, or loadable (modules.dep) for the running kernel. */
function moduleAvailable(name: string, release: string): boolean {
  if (existsSync(`/sys/module/${name}`)) return true;
  const re = new RegExp(`/${name}\\.ko(\\.[a-z]+)?:?(\\s|$)`, "m");
  if (re.test(read(`/lib/modules/${release}/modules.builtin`)) || re.test(read(`/lib/modules/${release}/modules.dep`))) return true;
  kallsyms ??= read("/proc/kallsyms");
  return new RegExp(` ${MODULE_SYMBOL[name]}(\\s|$)`, "m").test(kallsyms);
}

export function gatherHostFacts(): HostFacts {
  const features = addon().features();
  const release = read("/proc/sys/kernel/osrelease").trim();
  let namespaces: string[] = [];
  try {
    namespaces = readdirSync("/proc/self/ns").filter((n) => !n.endsWith("_for_children")).sort();
  } catch {}
  const m = (n: string) => moduleAvailable(n, release);
  return {
    kernel: release,
    arch: process.arch,
    features,
    namespaces,
    controllers: controllers(features.cgroupMode),
    modules: { veth: m("veth"), bridge: m("bridge"), overlay: m("overlay"), nf_tables: m("nf_tables"), ip_tables: m("ip_tables") },
    commands: { nft: Bun.which("nft") !== null, iptables: Bun.which("iptables") !== null },
  };
}
