// What the benchmarks share: their flags, timing one command, statistics over samples,
// interleaved rounds, podman's flags for this host, and the host facts put in results.
import { existsSync } from "node:fs";
import { resolve } from "node:path";

// ---- flags

export type FlagSpec =
  | { kind: "count"; default: number; min?: number }
  | { kind: "path"; default?: string }
  | { kind: "list"; default?: string[] };
type FlagValue<S extends FlagSpec> = S extends { kind: "count" } ? number : S extends { kind: "path"; default: string } ? string : S extends { kind: "path" } ? string | undefined : string[] | undefined;
export type Flags<T extends Record<string, FlagSpec>> = { [K in keyof T]: FlagValue<T[K]> };

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** `--name VALUE` or `--name=VALUE` for each flag of `spec` (keys in camelCase); a mistake
 * prints one line and the usage, and exits 2. Paths come back absolute. */
export function parseFlags<T extends Record<string, FlagSpec>>(bench: string, spec: T, argv = process.argv.slice(2)): Flags<T> {
  const show = (s: FlagSpec) => (s.kind === "count" ? `N (${s.default})` : s.kind === "path" ? `PATH${s.default ? ` (${s.default})` : ""}` : "A,B,...");
  const usage = (msg?: string): never => {
    if (msg) console.error(`${bench}: ${msg}`);
    console.error(`usage: bun bench/${bench}.ts ${Object.entries(spec).map(([k, s]) => `[${flagName(k)} ${show(s)}]`).join(" ")}`);
    process.exit(2);
  };
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(spec)) out[k] = s.kind === "path" && s.default ? resolve(s.default) : s.default;
  const byFlag = new Map(Object.entries(spec).map(([k, s]) => [flagName(k), [k, s] as const]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h" || a === "--help") usage();
    const eq = a.indexOf("=");
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const found = byFlag.get(flag);
    if (!found) usage(`unknown argument ${JSON.stringify(a)}`);
    const [key, s] = found!;
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) usage(`${flag} needs a value`);
    if (s.kind === "count") {
      const n = Number(v);
      if (!Number.isInteger(n) || n < (s.min ?? 0)) usage(`${flag}: ${JSON.stringify(v)} is not an integer >= ${s.min ?? 0}`);
      out[key] = n;
    } else out[key] = s.kind === "path" ? resolve(v!) : v!.split(",");
  }
  return out as Flags<T>;
}

export function requireRoot(bench: string, why: string): void {
  if (process.getuid?.() === 0) return;
  console.error(`${bench}: must run as root (${why})`);
  process.exit(2);
}

// ---- running things

/** Runs argv once; its wall time in ms, or why it failed (exit status and stderr's tail). */
export function timeOnce(argv: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): number | string {
  const t0 = performance.now();
  const r = Bun.spawnSync(argv, {
    stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: opts.timeoutMs ?? 60_000, killSignal: "SIGKILL",
    env: opts.env ? { ...process.env, ...opts.env } : undefined,
  });
  const ms = performance.now() - t0;
  if (r.exitCode === 0) return ms;
  const err = r.stderr.toString().trim().split("\n").slice(-3).join(" | ");
  return `${argv[0]} exit ${r.exitCode ?? r.signalCode}: ${err || r.stdout.toString().trim() || "(no output)"}`;
}

/** Runs argv; its stdout, or an error naming the command and its stderr. */
export function sh(argv: string[]): string {
  const r = Bun.spawnSync(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString().trim()}`);
  return r.stdout.toString();
}

/** The first line a command prints (a version), or undefined when it fails. */
export function firstLine(argv: string[]): string | undefined {
  try {
    const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", timeout: 10_000 });
    if (r.exitCode !== 0) return undefined;
    return r.stdout.toString().split("\n")[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `list` started at a different place each round, so that drift on the host is shared. */
export function rotated<T>(list: T[], round: number): T[] {
  const k = list.length ? round % list.length : 0;
  return [...list.slice(k), ...list.slice(0, k)];
}

// ---- statistics

export interface Stats {
  n: number;
  mean: number;
  median: number;
  p90: number;
  min: number;
  max: number;
  stddev: number;
}

/** The p-th percentile (nearest rank) of xs; NaN for none. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export function stats(samples: number[]): Stats | undefined {
  if (samples.length === 0) return undefined;
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const stddev = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { n, mean, median: median(samples), p90: percentile(samples, 90), min: Math.min(...samples), max: Math.max(...samples), stddev };
}

/** Prints rows as columns: the first left-aligned, the others right-aligned (numbers). */
export function printColumns(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
}

// ---- results

export function hostFacts() {
  return {
    kernel: firstLine(["uname", "-r"]),
    cpus: navigator.hardwareConcurrency,
    cgroups: existsSync("/sys/fs/cgroup/unified") ? "hybrid" : existsSync("/sys/fs/cgroup/cgroup.controllers") ? "v2" : "v1",
  };
}

/** A file-name stamp of `date`: 2026-01-02T03-04-05Z. */
export const stamp = (date: Date) => date.toISOString().replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z");
