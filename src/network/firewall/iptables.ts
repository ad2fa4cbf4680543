// iptables backend (hosts without nft): nat chains HUSK-POSTROUTING/PREROUTING/OUTPUT
// jumped to from the built-in ones; rules tagged with `-m comment` and removed by turning
// their iptables-save lines from -A into -D.
import { HuskError } from "../../runtime/errors.ts";
import { type Firewall, type MasqueradeSpec, type PublishSpec, type ToolRunner, containerTag, networkTag } from "./types.ts";

const CHAINS: [string, string][] = [
  ["POSTROUTING", "HUSK-POSTROUTING"],
  ["PREROUTING", "HUSK-PREROUTING"],
  ["OUTPUT", "HUSK-OUTPUT"],
];

export class IptablesFirewall implements Firewall {
  readonly name = "iptables";
  constructor(private run: ToolRunner) {}

  private ipt(args: string[], mayFail = false): boolean {
    const res = this.run(["iptables", "-w", "-t", "nat", ...args]);
    if (res.exitCode !== 0 && !mayFail) throw new HuskError(`iptables ${args.join(" ")}: ${res.stderr.trim().split("\n")[0]}`, "check that husk runs as root");
    return res.exitCode === 0;
  }

  private ensureChains(): void {
    for (const [builtin, ours] of CHAINS) {
      this.ipt(["-N", ours], true);
      if (!this.ipt(["-C", builtin, "-j", ours], true)) this.ipt(["-I", builtin, "-j", ours]);
    }
  }

  private taggedLines(tag: string): string[] {
    const res = this.run(["iptables-save", "-t", "nat"]);
    if (res.exitCode !== 0) return [];
    return res.stdout.split("\n").filter((l) => l.startsWith("-A HUSK-") && l.split(/\s+/).includes(tag));
  }

  private deleteTagged(tag: string): void {
    for (const line of this.taggedLines(tag)) this.ipt(["-D", ...line.split(/\s+/).slice(1)], true);
  }

  addNetwork(spec: MasqueradeSpec): void {
    this.ensureChains();
    const tag = networkTag(spec.networkId);
    this.deleteTagged(tag);
    const c = ["-m", "comment", "--comment", tag];
    for (const subnet of spec.subnets) this.ipt(["-A", "HUSK-POSTROUTING", "-s", subnet, "!", "-o", spec.bridge, ...c, "-j", "MASQUERADE"]);
    this.ipt(["-A", "HUSK-POSTROUTING", "-s", "127.0.0.0/8", "-o", spec.bridge, ...c, "-j", "MASQUERADE"]);
  }

  removeNetwork(networkId: string): void {
    this.deleteTagged(networkTag(networkId));
  }

  publish(specs: PublishSpec[]): void {
    this.ensureChains();
    for (const p of specs) {
      const match = p.hostIp && p.hostIp !== "0.0.0.0" ? ["-d", p.hostIp] : ["-m", "addrtype", "--dst-type", "LOCAL"];
      for (const chain of ["HUSK-PREROUTING", "HUSK-OUTPUT"])
        this.ipt(["-A", chain, ...match, "-p", p.protocol, "--dport", String(p.hostPort), "-m", "comment", "--comment", containerTag(p.containerId), "-j", "DNAT", "--to-destination", `${p.containerIp}:${p.containerPort}`]);
    }
  }

  unpublish(containerId: string): void {
    this.deleteTagged(containerTag(containerId));
  }

  rulesTagged(tag: string): string[] {
    return this.taggedLines(tag);
  }
}
