// -e/--env and --env-file: KEY=VALUE sets, a bare KEY copies the caller's value (and is
// dropped when the caller has none), as docker does.
import { readFileSync } from "node:fs";
import { HuskError } from "../../runtime/errors.ts";
import { badValue } from "./bad-value.ts";

function one(flag: string, entry: string, hostEnv: Record<string, string | undefined>): string | undefined {
  const eq = entry.indexOf("=");
  const key = eq < 0 ? entry : entry.slice(0, eq);
  if (!key || /\s/.test(key)) throw badValue(flag, entry, "expected KEY=VALUE or KEY");
  if (eq >= 0) return entry;
  const v = hostEnv[key];
  return v === undefined ? undefined : `${key}=${v}`;
}

export function parseEnv(env: string[], envFiles: string[], hostEnv: Record<string, string | undefined> = process.env, read = (p: string) => readFileSync(p, "utf8")): string[] {
  const out: string[] = [];
  for (const file of envFiles) {
    let text: string;
    try {
      text = read(file);
    } catch (e) {
      throw new HuskError(`--env-file ${file}: cannot read it: ${(e as NodeJS.ErrnoException).code ?? "EIO"}`, "check the path", 125);
    }
    for (const raw of text.split("\n")) {
      const line = raw.replace(/\r$/, "").trimStart();
      if (!line || line.startsWith("#")) continue;
      const e = one(`--env-file ${file}`, line, hostEnv);
      if (e !== undefined) out.push(e);
    }
  }
  for (const entry of env) {
    const e = one("--env", entry, hostEnv);
    if (e !== undefined) out.push(e);
  }
  return out;
}

/** -l/--label KEY=VALUE (a bare KEY is an empty label). */
export function parseLabels(labels: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of labels) {
    const eq = l.indexOf("=");
    const key = eq < 0 ? l : l.slice(0, eq);
    if (!key) throw badValue("--label", l, "expected KEY=VALUE");
    out[key] = eq < 0 ? "" : l.slice(eq + 1);
  }
  return out;
}

/** --sysctl KEY=VALUE. */
export function parseSysctls(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of items) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw badValue("--sysctl", s, "expected KEY=VALUE such as net.ipv4.ip_forward=1");
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}
