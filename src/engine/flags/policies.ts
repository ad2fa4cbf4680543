// Policy flags: --restart, --log-opt, --network, --pull, --platform, --userns,
// --stop-signal, --stop-timeout.
import { parseSignal } from "../../oci/ops/signals.ts";
import type { RestartPolicy } from "../docker-types.ts";
import { badValue } from "./bad-value.ts";
import { parseBytes, parseInteger } from "./sizes.ts";

export function parseRestart(text: string | undefined): RestartPolicy {
  if (text === undefined || text === "no") return { Name: "no", MaximumRetryCount: 0 };
  const m = /^(on-failure|always|unless-stopped)(?::(\d+))?$/.exec(text);
  if (!m) throw badValue("--restart", text, "expected no, on-failure[:N], always or unless-stopped");
  if (m[2] !== undefined && m[1] !== "on-failure") throw badValue("--restart", text, "only on-failure takes a retry count");
  return { Name: m[1] as RestartPolicy["Name"], MaximumRetryCount: m[2] === undefined ? 0 : Number(m[2]) };
}

/** --log-opt max-size=10m / max-file=3 (other keys are refused: husk has one log driver). */
export function parseLogOpts(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf("=");
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (key === "max-size") parseBytes("--log-opt max-size", value);
    else if (key === "max-file") {
      if (parseInteger("--log-opt max-file", value, 1) < 1) throw badValue("--log-opt", item, "max-file is at least 1");
    } else throw badValue("--log-opt", item, "husk's log driver takes max-size=SIZE and max-file=N");
    out[key] = value;
  }
  if (out["max-file"] && Number(out["max-file"]) > 1 && !out["max-size"]) throw badValue("--log-opt", `max-file=${out["max-file"]}`, "max-file needs max-size");
  return out;
}

export type NetworkChoice =
  | { mode: "none" }
  | { mode: "host" }
  | { mode: "container"; ref: string }
  | { mode: "ns"; path: string }
  /** a network of the plugin registry: bridge (the default), a user-defined NAME, netns:NAME */
  | { mode: "network"; name: string };

const NETWORK_REF_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}(:[^\s]+)?$/;

export function parseNetwork(text: string | undefined): NetworkChoice {
  const t = text ?? "bridge";
  if (t === "none") return { mode: "none" };
  if (t === "host") return { mode: "host" };
  if (t.startsWith("container:") && t.length > 10) return { mode: "container", ref: t.slice(10) };
  if (t.startsWith("ns:") && t.startsWith("ns:/")) return { mode: "ns", path: t.slice(3) };
  if (t === "default") return { mode: "network", name: "bridge" };
  if (!t.startsWith("ns:") && !t.startsWith("container:") && NETWORK_REF_RE.test(t)) return { mode: "network", name: t };
  throw badValue("--network", t, "expected bridge, a network NAME, none, host, container:NAME|ID, ns:/path/to/netns or netns:NAME");
}

export function parsePull(text: string | undefined): "missing" | "always" | "never" {
  const t = text ?? "missing";
  if (t === "missing" || t === "always" || t === "never") return t;
  throw badValue("--pull", t, "expected missing, always or never");
}

export function parseStopSignal(text: string | undefined, imageDefault: string | undefined): string {
  const t = text ?? imageDefault ?? "SIGTERM";
  try {
    parseSignal(t);
  } catch {
    throw badValue(text === undefined ? "the image's StopSignal" : "--stop-signal", t, "expected a signal name or number such as SIGTERM or 15");
  }
  return /^\d+$/.test(t) ? t : t.toUpperCase().startsWith("SIG") ? t.toUpperCase() : `SIG${t.toUpperCase()}`;
}

export function parseStopTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  return parseInteger("--stop-timeout", text, -1);
}
