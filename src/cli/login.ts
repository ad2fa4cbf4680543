import { Command, Option } from "clipanion";
import { authFilePath, normalizeRegistryArg, storeCredentials } from "../image/auth-file.ts";
import { isLoopbackRegistry } from "../image/pull.ts";
import { registriesConfig } from "../image/registries-config.ts";
import { verifyLogin } from "../image/registry/login.ts";
import { HuskError } from "../runtime/errors.ts";
import { reportError } from "./log.ts";

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export class LoginCommand extends Command {
  static override paths = [["login"]];
  static override usage = Command.Usage({
    category: "Images",
    description: "check credentials with a registry and save them in the auth file (docker's config.json format, mode 0600)",
    examples: [
      ["Password from stdin", "echo \"$PASS\" | husk login -u me --password-stdin 127.0.0.1:5000"],
      ["Another auth file", "husk login --authfile ./auth.json -u me -p secret registry.lan:5000"],
    ],
  });
  username = Option.String("--username,-u", { description: "user name" });
  password = Option.String("--password,-p", { description: "password (visible to other users in ps; prefer --password-stdin)" });
  passwordStdin = Option.Boolean("--password-stdin", false, { description: "read the password from stdin" });
  authfile = Option.String("--authfile", { description: "auth file (default $REGISTRY_AUTH_FILE, $DOCKER_CONFIG/config.json, ~/.docker/config.json)" });
  insecure = Option.Array("--insecure-registry", [], { description: "reach this registry over plain http (loopback ones always are)" });
  registry = Option.String({ required: false });

  async execute(): Promise<number> {
    try {
      const registry = normalizeRegistryArg(this.registry);
      if (!this.username) throw new HuskError(`login to ${registry}: no user name`, "pass -u USER");
      if (this.password !== undefined && this.passwordStdin) throw new HuskError("login: --password and --password-stdin exclude each other", "pass only one");
      let password = this.password;
      if (this.passwordStdin) password = (await readAll(this.context.stdin)).replace(/\r?\n$/, "");
      else if (password !== undefined) this.context.stderr.write("husk: warning: a password on the command line is visible to other users; use --password-stdin\n");
      if (!password) throw new HuskError(`login to ${registry} as ${this.username}: no password`, "pass --password-stdin and write the password to stdin");
      const conf = registriesConfig({ insecure: this.insecure });
      const insecure = [...conf.insecure, ...(isLoopbackRegistry(registry) ? [registry] : [])];
      const creds = { username: this.username, password };
      await verifyLogin(registry, creds, { insecure });
      const file = authFilePath(this.authfile);
      storeCredentials(file, registry, creds);
      this.context.stdout.write(`Login Succeeded (${registry}, saved in ${file})\n`);
      return 0;
    } catch (e) {
      return reportError(e, { format: "text", debug: false }, this.context.stderr);
    }
  }
}
