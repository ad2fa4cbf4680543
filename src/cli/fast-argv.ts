// A small argv parser for the hot verbs (`husk run`, `husk oci run/create/start/...`).
// Why: clipanion compiles a state machine per option before it parses anything; for the
// ~40 options of `run` that costs 10+ ms per start, more than the container itself.
// This parser accepts only the plain, common spellings and returns undefined for
// anything else (help, `--`, `--no-X`, unknown flags, missing values, ...), so clipanion
// still parses, reports and documents every command line this one does not take.
// test/unit/fast-argv.test.ts proves that both give the same options on a table of
// command lines, and that the flag tables match the clipanion classes.

export type FlagKind = "boolean" | "string" | "array";

export interface FlagSpec {
  /** The property name on the clipanion command class. */
  key: string;
  /** Every spelling, as in the clipanion definition ("-i", "--interactive"). */
  names: string[];
  kind: FlagKind;
}

export interface VerbSpec {
  flags: FlagSpec[];
  /** "image+rest": one positional, then everything verbatim (Option.Proxy after it).
   * Otherwise: how many positionals (`min` required, at most `max`), options anywhere. */
  positionals: "image+rest" | { min: number; max: number };
}

export interface FastParse {
  /** Only the flags that were given (booleans true, strings last-wins, arrays in order). */
  options: Record<string, unknown>;
  positionals: string[];
  /** With "image+rest": what follows the first positional. */
  rest: string[];
}

const LONG_OR_SHORT = /^(--[a-z]+(?:-[a-z]+)*|-[a-zA-Z]+)$/;

/** Parses `args` (the words after the verb) or returns undefined to let clipanion do it. */
export function fastParse(spec: VerbSpec, args: string[]): FastParse | undefined {
  const byName = new Map<string, FlagSpec>();
  for (const f of spec.flags) for (const n of f.names) byName.set(n, f);
  const options: Record<string, unknown> = {};
  const positionals: string[] = [];
  const set = (f: FlagSpec, value: string | true) => {
    if (f.kind === "array") ((options[f.key] as string[] | undefined) ?? (options[f.key] = [] as string[]) as string[]).push(value as string);
    else options[f.key] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-" || !a.startsWith("-")) {
      positionals.push(a);
      if (spec.positionals === "image+rest") return { options, positionals, rest: args.slice(i + 1) };
      continue;
    }
    const eq = a.indexOf("=");
    if (eq > 0) {
      // --name=value: value flags only (clipanion refuses a bound boolean).
      const f = byName.get(a.slice(0, eq));
      if (!f || f.kind === "boolean" || !LONG_OR_SHORT.test(a.slice(0, eq))) return undefined;
      set(f, a.slice(eq + 1));
      continue;
    }
    const f = byName.get(a);
    if (f) {
      if (f.kind === "boolean") {
        set(f, true);
        continue;
      }
      const v = args[i + 1];
      // A missing value, or one that looks like a flag, is an error clipanion words.
      if (v === undefined || (v !== "-" && v.startsWith("-"))) return undefined;
      set(f, v);
      i++;
      continue;
    }
    // -it: a batch of short booleans.
    if (/^-[a-zA-Z]{2,}$/.test(a)) {
      const batch = [...a.slice(1)].map((c) => byName.get(`-${c}`));
      if (batch.some((b) => !b || b.kind !== "boolean")) return undefined;
      for (const b of batch) set(b!, true);
      continue;
    }
    return undefined; // --help, --, --no-X, unknown: clipanion's job
  }
  if (spec.positionals === "image+rest") return undefined; // no image
  if (positionals.length < spec.positionals.min || positionals.length > spec.positionals.max) return undefined;
  return { options, positionals, rest: [] };
}
