// Firewall backends (nftables or iptables, whichever the host has). Every rule carries a
// tag in its comment, so removal takes exactly the rules of one network or one container.

export interface MasqueradeSpec {
  networkId: string;
  bridge: string;
  /** IPv4 subnets of the network (no NAT for IPv6) */
  subnets: string[];
}

export interface PublishSpec {
  containerId: string;
  hostIp?: string;
  hostPort: number;
  protocol: "tcp" | "udp";
  containerIp: string;
  containerPort: number;
}

/** Runs a firewall tool (through husk-core netns-exec when the host side is another netns). */
export type ToolRunner = (argv: string[], stdin?: string) => { exitCode: number; stdout: string; stderr: string };

export interface Firewall {
  readonly name: "nftables" | "iptables";
  /** masquerade egress from the network's subnets; idempotent */
  addNetwork(spec: MasqueradeSpec): void;
  removeNetwork(networkId: string): void;
  publish(specs: PublishSpec[]): void;
  unpublish(containerId: string): void;
  /** the rules carrying a tag, as text (leak checks) */
  rulesTagged(tag: string): string[];
}

export const networkTag = (networkId: string) => `husk-net-${networkId.slice(0, 16)}`;
export const containerTag = (containerId: string) => `husk-ctr-${containerId}`;
