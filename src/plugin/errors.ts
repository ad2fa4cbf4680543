// Errors that name the plugin they come from: "network plugin bridge: ...".
import { HuskError } from "../runtime/errors.ts";
import type { PluginKind } from "./api.ts";

export class PluginError extends HuskError {
  constructor(
    readonly plugin: string,
    readonly kind: PluginKind | "",
    message: string,
    hint?: string,
  ) {
    super(`${kind ? `${kind} plugin` : "plugin"} ${plugin}: ${message}`, hint);
    this.name = "PluginError";
  }

  /** Wraps anything a plugin threw; an error that already names the plugin is kept. */
  static wrap(plugin: string, kind: PluginKind, what: string, e: unknown): PluginError {
    if (e instanceof PluginError && e.plugin === plugin) return e;
    const msg = e instanceof HuskError ? e.message : e instanceof Error ? e.message : String(e);
    const hint = e instanceof HuskError ? e.hint : undefined;
    return new PluginError(plugin, kind, `${what}: ${msg}`, hint);
  }
}

/** Runs a driver method so that what it throws names the plugin (the guards' building
 * block): `call` for methods that may be async, `callSync` for those that must not be. */
export function pluginCalls(plugin: string, kind: PluginKind) {
  return {
    call: async <T>(what: string, fn: () => T | Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        throw PluginError.wrap(plugin, kind, what, e);
      }
    },
    callSync: <T>(what: string, fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        throw PluginError.wrap(plugin, kind, what, e);
      }
    },
  };
}
