// Where docker volume plugins are found, as docker looks for them, plus husk's own dir:
//   DIR/NAME.sock, DIR/NAME/NAME.sock       a unix socket the plugin listens on
//   DIR/NAME.spec                           one line: unix:///path or tcp://addr:port
//   DIR/NAME.json                           {"Name": "...", "Addr": "unix:///path"}
// for DIR in /run/docker/plugins, /etc/docker/plugins, /usr/lib/docker/plugins and
// /etc/husk/plugins (first match wins). HUSK_DOCKER_PLUGIN_DIRS replaces that list.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const DEFAULT_PLUGIN_DIRS = ["/run/docker/plugins", "/etc/docker/plugins", "/usr/lib/docker/plugins", "/etc/husk/plugins"];

export type PluginAddress = { unix: string; from: string } | { url: string; from: string };

export function dockerPluginDirs(env: Record<string, string | undefined> = process.env): string[] {
  const v = env.HUSK_DOCKER_PLUGIN_DIRS;
  return v ? v.split(":").filter(Boolean) : DEFAULT_PLUGIN_DIRS;
}

const isSocket = (p: string) => {
  try {
    return statSync(p).isSocket();
  } catch {
    return false;
  }
};

/** An address as a .spec or .json file writes it. */
export function parseAddress(text: string, from: string): PluginAddress {
  const addr = text.trim();
  if (addr.startsWith("unix://")) return { unix: addr.slice(7), from };
  if (addr.startsWith("tcp://") || addr.startsWith("http://")) return { url: `http://${addr.replace(/^(tcp|http):\/\//, "")}`, from };
  throw new Error(`${from}: address "${addr}" is neither unix:///PATH nor tcp://HOST:PORT`);
}

/** The plugin's address, or undefined when no dir has it. A malformed spec file throws. */
export function findDockerPlugin(name: string, dirs = dockerPluginDirs()): PluginAddress | undefined {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) return undefined;
  for (const dir of dirs) {
    for (const sock of [join(dir, `${name}.sock`), join(dir, name, `${name}.sock`)]) if (isSocket(sock)) return { unix: sock, from: sock };
    const spec = join(dir, `${name}.spec`);
    if (existsSync(spec)) return parseAddress(readFileSync(spec, "utf8"), spec);
    const json = join(dir, `${name}.json`);
    if (existsSync(json)) {
      let addr: unknown;
      try {
        addr = (JSON.parse(readFileSync(json, "utf8")) as { Addr?: unknown }).Addr;
      } catch (e) {
        throw new Error(`${json}: not valid JSON (${(e as Error).message})`);
      }
      if (typeof addr !== "string") throw new Error(`${json}: no "Addr" string`);
      return parseAddress(addr, json);
    }
  }
  return undefined;
}
