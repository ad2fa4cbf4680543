import { Command, Option } from "clipanion";
import { authFilePath, normalizeRegistryArg, removeCredentials } from "../image/auth-file.ts";
import { reportError } from "./log.ts";

export class LogoutCommand extends Command {
  static override paths = [["logout"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "remove a registry's credentials from the auth file",
    examples: [["", "husk logout 127.0.0.1:5000"]],
  });
  authfile = Option.String("--authfile", { description: "auth file (default $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, ~/.docker/config.json)" });
  registry = Option.String({ required: false });

  async execute(): Promise<number> {
    try {
      const registry = normalizeRegistryArg(this.registry);
      const file = authFilePath(this.authfile);
      // As docker: logging out where nobody is logged in is not an error.
      if (removeCredentials(file, registry)) this.context.stdout.write(`Removed login credentials for ${registry} from ${file}\n`);
      else this.context.stdout.write(`Not logged in to ${registry}\n`);
      return 0;
    } catch (e) {
      return reportError(e, { format: "text", debug: false }, this.context.stderr);
    }
  }
}
