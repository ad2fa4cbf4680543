// nftables backend: one table `ip husk` with nat chains; rules tagged by comment and
// removed by handle. Each change is one `nft -f -` batch, applied atomically.
import { HuskError } from "../../runtime/errors.ts";
import { type Firewall, type MasqueradeSpec, type PublishSpec, type ToolRunner, containerTag, networkTag } from "./types.ts";

const TABLE = "ip husk";
const BASE = [
  `add table ${TABLE}`,
  `add chain ${TABLE} postrouting { type nat hook postrouting priority 100 ; }`,
  `add chain ${TABLE} prerouting { type nat hook prerouting priority -100 ; }`,
  `add chain ${TABLE} output { type nat hook output priority -100 ; }`,
];

interface NftRule {
  chain: string;
  handle: number;
  comment?: string;
}

export class NftablesFirewall implements Firewall {
  readonly name = "nftables";
  constructor(private run: ToolRunner) {}

  private apply(lines: string[]): void {
    if (lines.length === 0) return;
    const res = this.run(["nft", "-f", "-"], `${lines.join("\n")}\n`);
    if (res.exitCode !== 0) throw new HuskError(`nft: ${res.stderr.trim().split("\n")[0] ?? `exit ${res.exitCode}`}`, "check that nf_tables is available and that husk runs as root");
  }

  private rules(): NftRule[] {
    const res = this.run(["nft", "-j", "-a", "list", "table", ...TABLE.split(" ")]);
    if (res.exitCode !== 0) return []; // no table yet
    const out: NftRule[] = [];
    for (const item of (JSON.parse(res.stdout).nftables ?? []) as { rule?: NftRule }[])
      if (item.rule) out.push({ chain: item.rule.chain, handle: item.rule.handle, comment: item.rule.comment });
    return out;
  }

  private deleteTagged(tag: string): string[] {
    return this.rules()
      .filter((r) => r.comment === tag)
      .map((r) => `delete rule ${TABLE} ${r.chain} handle ${r.handle}`);
  }

  addNetwork(spec: MasqueradeSpec): void {
    const tag = networkTag(spec.networkId);
    const lines = [...BASE, ...this.deleteTagged(tag)];
    for (const subnet of spec.subnets)
      lines.push(`add rule ${TABLE} postrouting ip saddr ${subnet} oifname != "${spec.bridge}" masquerade comment "${tag}"`);
    // Published ports reached on 127.0.0.1: the reply must come back to the host, not to a
    // loopback source the container cannot route to.
    lines.push(`add rule ${TABLE} postrouting ip saddr 127.0.0.0/8 oifname "${spec.bridge}" masquerade comment "${tag}"`);
    this.apply(lines);
  }

  removeNetwork(networkId: string): void {
    this.apply(this.deleteTagged(networkTag(networkId)));
  }

  publish(specs: PublishSpec[]): void {
    const lines = [...BASE];
    for (const p of specs) {
      const tag = containerTag(p.containerId);
      const match = p.hostIp && p.hostIp !== "0.0.0.0" ? `ip daddr ${p.hostIp}` : "fib daddr type local";
      for (const chain of ["prerouting", "output"])
        lines.push(`add rule ${TABLE} ${chain} ${match} ${p.protocol} dport ${p.hostPort} dnat to ${p.containerIp}:${p.containerPort} comment "${tag}"`);
    }
    this.apply(lines);
  }

  unpublish(containerId: string): void {
    this.apply(this.deleteTagged(containerTag(containerId)));
  }

  rulesTagged(tag: string): string[] {
    return this.rules()
      .filter((r) => r.comment === tag)
      .map((r) => `${r.chain} handle ${r.handle} comment ${tag}`);
  }
}
