// A CNI runtime (spec 1.0, section 3): runs a network configuration list for one
// attachment. ADD runs the plugins in order, each one getting the previous one's result
// as prevResult; a failed ADD is rolled back with DEL over the whole list in reverse.
// DEL runs in reverse order with the cached result; CHECK in order with it. VERSION asks
// a plugin which spec versions it speaks.
import { compareVersions, pluginEnv, pluginStdin, type CniCommand } from "./exec-config.ts";
import { CniPluginError, invokePlugin, oneLine, type Spawner } from "./invoke.ts";
import { toCurrent } from "./result.ts";
import { SUPPORTED_CNI_VERSIONS, type CniResult, type NetConfList, type PluginConf, type RuntimeConf } from "./types.ts";

export interface CniRuntimeOptions {
  binDirs: string[];
  /** per plugin call */
  timeoutMs: number;
  /** run the plugins with this netns as the host side (undefined: husk's own) */
  hostNetns?: string;
  spawn?: Spawner;
  /** the environment the CNI_* variables are added to (default: process.env) */
  baseEnv?: Record<string, string | undefined>;
}

export class CniRuntime {
  constructor(readonly o: CniRuntimeOptions) {}

  private async call(command: CniCommand, list: NetConfList, plugin: PluginConf, rt: RuntimeConf | undefined, stdin: unknown): Promise<string> {
    return invokePlugin({
      command, network: list.name, type: plugin.type, binDirs: this.o.binDirs, env: pluginEnv(command, rt, this.o.binDirs, this.o.baseEnv),
      stdin: JSON.stringify(stdin), timeoutMs: this.o.timeoutMs, hostNetns: this.o.hostNetns, spawn: this.o.spawn,
    });
  }

  /** ADD: the whole chain; the last plugin's result. On failure, DEL everything, then throw. */
  async add(list: NetConfList, rt: RuntimeConf): Promise<CniResult> {
    checkVersion(list);
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) {
      try {
        const out = await this.call("ADD", list, plugin, rt, pluginStdin(list, plugin, rt, prev));
        prev = parseOutput(out, list, plugin, prev);
      } catch (e) {
        // The spec's advice for a failed ADD: DEL every plugin of the list, in reverse.
        try {
          await this.del(list, rt, undefined);
        } catch (undo) {
          if (e instanceof CniPluginError) throw new CniPluginError(e.plugin, e.command, `${e.message}; the DEL that undoes it failed too: ${(undo as Error).message}`, e.hint, e.code);
        }
        throw e;
      }
    }
    if (!prev) throw new CniPluginError(list.plugins.at(-1)!.type, "ADD", `ADD ${list.name}: the plugin chain returned no result`);
    return prev;
  }

  /** DEL: reverse order, with the ADD's result as prevResult when known. Stops at the first error. */
  async del(list: NetConfList, rt: RuntimeConf, prevResult: CniResult | undefined): Promise<void> {
    checkVersion(list);
    // prevResult on DEL exists from 0.4.0 on; older plugins would not expect it.
    const prev = compareVersions(list.cniVersion, "0.4.0") >= 0 ? prevResult : undefined;
    for (const plugin of [...list.plugins].reverse()) await this.call("DEL", list, plugin, rt, pluginStdin(list, plugin, rt, prev));
  }

  /** CHECK: in order, with the ADD's result. "disabled" when the list says disableCheck. */
  async check(list: NetConfList, rt: RuntimeConf, prevResult: CniResult): Promise<"ok" | "disabled"> {
    checkVersion(list);
    if (list.disableCheck) return "disabled";
    if (compareVersions(list.cniVersion, "0.4.0") < 0)
      throw new CniPluginError(list.plugins[0]!.type, "CHECK", `CHECK ${list.name}: needs cniVersion 0.4.0 or newer, the list says ${list.cniVersion}`);
    for (const plugin of list.plugins) await this.call("CHECK", list, plugin, rt, pluginStdin(list, plugin, rt, prevResult));
    return "ok";
  }

  /** VERSION: the spec versions plugin `type` supports. */
  async versions(list: NetConfList, type: string): Promise<string[]> {
    const out = await this.call("VERSION", list, { type }, undefined, { cniVersion: list.cniVersion });
    try {
      const v = JSON.parse(out);
      if (Array.isArray(v.supportedVersions)) return v.supportedVersions.map(String);
    } catch {}
    throw new CniPluginError(type, "VERSION", `VERSION ${list.name}: CNI plugin ${type} printed no version list: ${oneLine(out, 200)}`);
  }

  /** Every plugin of the list exists and speaks the list's cniVersion. */
  async validate(list: NetConfList): Promise<void> {
    checkVersion(list);
    for (const type of new Set(list.plugins.map((p) => p.type))) {
      const supported = await this.versions(list, type);
      if (!supported.includes(list.cniVersion))
        throw new CniPluginError(type, "VERSION", `${list.name}: CNI plugin ${type} does not speak cniVersion ${list.cniVersion} (it speaks ${supported.join(", ")})`, "change the conflist's cniVersion");
    }
  }
}

function checkVersion(list: NetConfList): void {
  if (!SUPPORTED_CNI_VERSIONS.includes(list.cniVersion))
    throw new CniPluginError(list.plugins[0]?.type ?? "?", "", `${list.name}: cniVersion ${list.cniVersion} is not one husk speaks (${SUPPORTED_CNI_VERSIONS.join(", ")})`, `change cniVersion in ${list.source ?? "the conflist"}`);
}

/** A plugin's ADD output; an empty one passes the previous result on (older plugins). */
function parseOutput(out: string, list: NetConfList, plugin: PluginConf, prev: CniResult | undefined): CniResult {
  if (!out.trim() && prev) return prev;
  let raw: unknown;
  try {
    raw = JSON.parse(out);
  } catch {
    throw new CniPluginError(plugin.type, "ADD", `ADD ${list.name}: CNI plugin ${plugin.type} succeeded but printed no JSON result: ${oneLine(out, 200)}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new CniPluginError(plugin.type, "ADD", `ADD ${list.name}: CNI plugin ${plugin.type} printed a result that is not a JSON object`);
  // Passed on as the plugin printed it (the next plugin reads the same cniVersion), but
  // with the fields husk reads checked.
  toCurrent(raw as Record<string, unknown>, list.cniVersion);
  return raw as CniResult;
}
