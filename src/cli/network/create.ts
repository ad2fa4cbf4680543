import { Command, Option } from "clipanion";
import { createNetwork } from "../../network/manager.ts";
import { HuskError } from "../../runtime/errors.ts";
import { NetworkBaseCommand, parsePairs } from "./base.ts";

export class NetworkCreateCommand extends NetworkBaseCommand {
  static override paths = [["network", "create"]];
  static override usage = Command.Usage({
    category: "Networks",
    description: "create a network",
    details: "The n-th --gateway and --ip-range belong to the n-th --subnet. Without --subnet the driver picks a free one.",
    examples: [
      ["A bridge network with a free subnet", "husk network create mynet"],
      ["Pick the subnet, the lease range and the MTU", "husk network create --subnet 10.89.0.0/24 --ip-range 10.89.0.128/25 --mtu 1400 mynet"],
      ["Dual stack", "husk network create --ipv6 --subnet 10.90.0.0/24 --subnet fd00:90::/64 mynet6"],
    ],
  });
  driver = Option.String("--driver,-d", "bridge", { description: "network plugin (default bridge)" });
  subnet = Option.Array("--subnet", [], { description: "CIDR prefix, IPv4 or IPv6 (repeatable)" });
  gateway = Option.Array("--gateway", [], { description: "gateway of the matching --subnet" });
  ipRange = Option.Array("--ip-range", [], { description: "lease addresses only from this prefix of the matching --subnet" });
  ipv6 = Option.Boolean("--ipv6", false, { description: "give containers IPv6 addresses too" });
  mtu = Option.String("--mtu", { description: "MTU of the bridge and the veths" });
  internal = Option.Boolean("--internal", false, { description: "no gateway, no egress" });
  opt = Option.Array("--opt,-o", [], { description: "driver option KEY=VALUE" });
  label = Option.Array("--label", [], { description: "label KEY=VALUE" });
  name = Option.String();

  async run() {
    if (this.gateway.length > this.subnet.length || this.ipRange.length > this.subnet.length)
      throw new HuskError("every --gateway and --ip-range needs its own --subnet", "give --subnet first, in the same order");
    const mtu = this.mtu === undefined ? undefined : Number(this.mtu);
    if (mtu !== undefined && !Number.isInteger(mtu)) throw new HuskError(`--mtu "${this.mtu}": expected a number`);
    const net = await createNetwork(this.context_(), {
      name: this.name,
      driver: this.driver,
      subnets: this.subnet.map((subnet, i) => ({ subnet, gateway: this.gateway[i], ipRange: this.ipRange[i] })),
      ipv6: this.ipv6,
      mtu,
      internal: this.internal,
      options: parsePairs("--opt", this.opt),
      labels: parsePairs("--label", this.label),
    });
    this.context.stdout.write(`${net.id}\n`);
  }
}
