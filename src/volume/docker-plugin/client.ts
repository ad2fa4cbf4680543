// The docker plugin wire protocol: every call is an HTTP POST of a JSON body to /METHOD,
// answered with JSON; a non-empty "Err" (on any status) is the plugin's error message.
import type { PluginAddress } from "./discovery.ts";

export const PLUGIN_MEDIA_TYPE = "application/vnd.docker.plugins.v1.2+json";

/** A failure with the plugin's own words in `message`, or a transport failure with `code`. */
export class PluginCallError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function pluginTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.HUSK_PLUGIN_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : 30_000;
}

export async function callPlugin<T extends object>(addr: PluginAddress, method: string, body: object, timeoutMs = pluginTimeoutMs()): Promise<T> {
  const where = "unix" in addr ? addr.unix : addr.url;
  let res: Response;
  try {
    res = await fetch("unix" in addr ? `http://plugin/${method}` : `${addr.url}/${method}`, {
      method: "POST",
      headers: { "Content-Type": PLUGIN_MEDIA_TYPE, Accept: PLUGIN_MEDIA_TYPE },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      ...("unix" in addr ? { unix: addr.unix } : {}),
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    const code = err.name === "TimeoutError" ? "ETIMEDOUT" : err.code === "FailedToOpenSocket" || err.code === "ConnectionRefused" ? "ECONNREFUSED" : (err.code ?? "EIO");
    const what = code === "ETIMEDOUT" ? `no answer to ${method} within ${timeoutMs} ms` : `cannot reach ${where}`;
    throw new PluginCallError(`${what}: ${code}`, code);
  }
  const text = await res.text();
  let json: { Err?: unknown } & T;
  try {
    json = (text ? JSON.parse(text) : {}) as { Err?: unknown } & T;
  } catch {
    throw new PluginCallError(`${method}: HTTP ${res.status}, not JSON: ${text.slice(0, 120).replace(/\s+/g, " ")}`);
  }
  if (typeof json.Err === "string" && json.Err) throw new PluginCallError(`${method}: ${json.Err}`);
  if (!res.ok) throw new PluginCallError(`${method}: HTTP ${res.status}`);
  return json;
}
