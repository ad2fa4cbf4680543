// The base of `husk network|volume|plugin ...`: --root and --data-root, and a failure as one
// line on stderr, with docker's "the engine failed" code (125) for husk's own errors.
import { Command, Option } from "clipanion";
import { HuskError } from "../runtime/errors.ts";
import { reportError } from "./log.ts";

export abstract class RootsCommand extends Command {
  root = Option.String("--root", process.env.HUSK_ROOT ?? "/run/husk", { description: "live state (default /run/husk)" });
  dataRoot = Option.String("--data-root", process.env.HUSK_DATA_ROOT ?? "/var/lib/husk", {
    description: "where images, containers, volumes, networks and leases live (default /var/lib/husk)",
  });

  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (e) {
      const code = reportError(e, { format: "text", debug: false }, this.context.stderr);
      return e instanceof HuskError ? 125 : code;
    }
  }
}
