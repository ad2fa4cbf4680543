// Manifest checks and the API version rule: same major, minor not newer than ours.
import { PLUGIN_API_VERSION, type PluginManifest, type PluginModule } from "./api.ts";
import { PluginError } from "./errors.ts";

const NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

function parseVersion(v: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Throws a PluginError unless `apiVersion` can be served by `ours`. */
export function checkApiVersion(name: string, apiVersion: string, source: string, ours = PLUGIN_API_VERSION): void {
  const want = parseVersion(apiVersion);
  const have = parseVersion(ours)!;
  if (!want) throw new PluginError(name, "", `apiVersion "${apiVersion}" in ${source} is not MAJOR.MINOR`, `write apiVersion: "${ours}"`);
  if (want[0] !== have[0] || want[1] > have[1])
    throw new PluginError(
      name,
      "",
      `needs plugin API ${apiVersion} but this husk speaks ${ours} (from ${source})`,
      want[0] > have[0] || (want[0] === have[0] && want[1] > have[1]) ? "upgrade husk, or use a build of the plugin for API " + ours : `port the plugin to API ${ours} (see docs/plugins.md)`,
    );
}

/** Checks what a module exported and returns it as a PluginModule. */
export function toPluginModule(exported: unknown, source: string): PluginModule {
  const mod = exported as Record<string, unknown> | undefined;
  const candidate = (mod && "manifest" in mod ? mod : (mod?.default as Record<string, unknown> | undefined)) ?? {};
  const manifest = candidate.manifest as PluginManifest | undefined;
  const label = typeof manifest?.name === "string" ? manifest.name : source;
  if (!manifest || typeof manifest !== "object")
    throw new PluginError(label, "", `${source} exports no manifest`, "export const manifest = { name, kind, apiVersion }");
  if (typeof manifest.name !== "string" || !NAME_RE.test(manifest.name))
    throw new PluginError(label, "", `manifest.name ${JSON.stringify(manifest.name)} in ${source} is invalid`, "use lowercase letters, digits, '.', '_' or '-'");
  if (manifest.kind !== "network" && manifest.kind !== "volume")
    throw new PluginError(label, "", `manifest.kind ${JSON.stringify(manifest.kind)} in ${source} must be "network" or "volume"`);
  if (typeof manifest.apiVersion !== "string") throw new PluginError(label, manifest.kind, `manifest.apiVersion missing in ${source}`);
  checkApiVersion(manifest.name, manifest.apiVersion, source);
  if (typeof candidate.create !== "function")
    throw new PluginError(label, manifest.kind, `${source} exports no create(host) function`);
  return { manifest, create: candidate.create as PluginModule["create"] };
}
