import { Command } from "clipanion";

/** `husk oci`, `husk oci --help`: the list of OCI verbs. */
export class OciHelpCommand extends Command {
  static override paths = [["oci"], ["oci", "help"]];
  static override usage = Command.Usage({ category: "OCI runtime", description: "list the OCI runtime commands (runc's command line)" });
  async execute() {
    this.context.stdout.write(this.cli.usage(null, { detailed: false }));
    return 0;
  }
}
