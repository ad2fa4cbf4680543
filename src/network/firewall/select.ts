// Picks the firewall backend: $HUSK_FIREWALL (nftables|iptables) if set, else nft when the
// host has it, else iptables.
import { HuskError } from "../../runtime/errors.ts";
import { IptablesFirewall } from "./iptables.ts";
import { NftablesFirewall } from "./nftables.ts";
import type { Firewall, ToolRunner } from "./types.ts";

export function selectFirewall(run: ToolRunner, env: Record<string, string | undefined> = process.env): Firewall {
  const forced = env.HUSK_FIREWALL;
  if (forced === "nftables") return new NftablesFirewall(run);
  if (forced === "iptables") return new IptablesFirewall(run);
  if (forced) throw new HuskError(`HUSK_FIREWALL="${forced}": expected nftables or iptables`);
  if (Bun.which("nft")) return new NftablesFirewall(run);
  if (Bun.which("iptables")) return new IptablesFirewall(run);
  throw new HuskError("neither nft nor iptables is installed", "install nftables (or iptables) for masquerade and published ports");
}
