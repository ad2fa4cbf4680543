// `husk image import --change`: the Dockerfile instructions docker accepts there (CMD,
// ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL), applied to an image
// config's `config` object. Exec form (a JSON array) is taken as is; shell form becomes
// ["/bin/sh", "-c", text] as a Dockerfile would make it.
import { HuskError } from "../runtime/errors.ts";

export interface ImageRunConfig {
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  ExposedPorts?: Record<string, Record<string, never>>;
  Labels?: Record<string, string>;
  User?: string;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  StopSignal?: string;
}

const ALLOWED = ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "USER", "VOLUME", "WORKDIR", "STOPSIGNAL"];

const bad = (change: string, why: string) => new HuskError(`--change ${JSON.stringify(change)}: ${why}`, "e.g. --change 'CMD [\"/bin/sh\"]' or --change 'ENV A=b'");

/** A JSON array of strings, or undefined when `text` is not one (shell form then). */
function execForm(text: string): string[] | undefined {
  if (!text.startsWith("[")) return undefined;
  try {
    const v = JSON.parse(text);
    if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v;
  } catch {}
  return undefined;
}

/** Splits `a=b "c d"=e f='g h'` into words, honouring quotes and backslashes. */
export function splitWords(text: string, change: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw bad(change, `unterminated ${quote} quote`);
  if (inWord) words.push(cur);
  return words;
}

/** ENV and LABEL: `k=v k2=v2`, or the old `k value with spaces`. */
function pairs(rest: string, change: string): [string, string][] {
  const words = splitWords(rest, change);
  if (!words.length) throw bad(change, "needs at least one key");
  if (!words[0]!.includes("=")) {
    const key = words[0]!;
    const value = rest.trim().slice(rest.trim().indexOf(key) + key.length).trim();
    if (!value) throw bad(change, `${key} has no value`);
    return [[key, splitWords(value, change).join(" ")]];
  }
  return words.map((w) => {
    const eq = w.indexOf("=");
    if (eq <= 0) throw bad(change, `"${w}" is not key=value`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

export function applyChange(config: ImageRunConfig, change: string): void {
  const m = /^\s*([A-Za-z]+)(?:\s+([\s\S]*))?$/.exec(change);
  if (!m) throw bad(change, "expected an instruction such as CMD or ENV");
  const op = m[1]!.toUpperCase();
  const rest = (m[2] ?? "").trim();
  if (!ALLOWED.includes(op)) throw bad(change, `${op} is not allowed here; allowed: ${ALLOWED.filter((a) => a !== "ONBUILD").join(", ")}`);
  if (!rest) throw bad(change, `${op} needs an argument`);
  switch (op) {
    case "CMD":
    case "ENTRYPOINT": {
      const argv = execForm(rest) ?? ["/bin/sh", "-c", rest];
      if (op === "CMD") config.Cmd = argv;
      else config.Entrypoint = argv;
      return;
    }
    case "ENV": {
      const env = [...(config.Env ?? [])];
      for (const [k, v] of pairs(rest, change)) {
        const i = env.findIndex((e) => e.split("=")[0] === k);
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      config.Env = env;
      return;
    }
    case "LABEL":
      config.Labels = { ...config.Labels, ...Object.fromEntries(pairs(rest, change)) };
      return;
    case "EXPOSE": {
      const ports = { ...config.ExposedPorts };
      for (const p of splitWords(rest, change)) {
        const pm = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
        if (!pm || Number(pm[1]) > 65535 || (pm[2] && Number(pm[2]) > 65535)) throw bad(change, `"${p}" is not a port (PORT[/tcp|udp|sctp])`);
        const proto = (pm[3] ?? "tcp").toLowerCase();
        const last = pm[2] ? Number(pm[2]) : Number(pm[1]);
        for (let n = Number(pm[1]); n <= last; n++) ports[`${n}/${proto}`] = {};
      }
      config.ExposedPorts = ports;
      return;
    }
    case "VOLUME": {
      const vols = { ...config.Volumes };
      for (const v of execForm(rest) ?? splitWords(rest, change)) {
        if (!v.startsWith("/")) throw bad(change, `volume "${v}" is not an absolute path`);
        vols[v] = {};
      }
      config.Volumes = vols;
      return;
    }
    case "USER":
      config.User = rest;
      return;
    case "WORKDIR":
      // Relative to the previous one, as in a Dockerfile.
      config.WorkingDir = rest.startsWith("/") ? rest : `${(config.WorkingDir ?? "/").replace(/\/$/, "")}/${rest}`;
      return;
    case "STOPSIGNAL":
      if (!/^(SIG)?[A-Z0-9+-]+$|^\d+$/i.test(rest)) throw bad(change, `"${rest}" is not a signal`);
      config.StopSignal = rest;
      return;
    case "ONBUILD":
      throw bad(change, "ONBUILD triggers are for builds; husk does not build images");
  }
}
