// Reading the CRI logs the monitor writes, for `husk logs` (--since, --tail, -t, -f).
// Lines are `<time> <stdout|stderr> <F|P> <text>`; P pieces are joined with what follows.
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type LogFs, LogFollower } from "./log-follower.ts";

export interface LogLine {
  /** RFC 3339 with nine fraction digits, as the monitor writes it. */
  time: string;
  stream: "stdout" | "stderr";
  text: string;
}

export interface LogReadOptions {
  /** Only lines at or after this time. */
  since?: Date | string;
  /** Only the last n lines (applied after since). */
  tail?: number;
  /** Prefix each line with its time, as docker's -t does. */
  timestamps?: boolean;
}

/** "2024-01-01T00:00:00.000000000Z" for a Date or an RFC 3339 string, so that plain string comparison orders times. */
export function normalizeTime(t: Date | string): string {
  if (t instanceof Date) return t.toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(t);
  if (m) return `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}Z`;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) throw new Error(`not a time: ${t}`);
  return normalizeTime(d);
}

/** Parses CRI lines and joins partial pieces per stream. */
export class CriDecoder {
  private pending: Record<string, { time: string; text: string } | undefined> = {};

  /** One raw line (without "\n"); returns a finished LogLine or undefined (partial or malformed). */
  line(raw: string): LogLine | undefined {
    const a = raw.indexOf(" ");
    const b = raw.indexOf(" ", a + 1);
    const c = raw.indexOf(" ", b + 1);
    if (a < 0 || b < 0 || c < 0) return undefined;
    const time = raw.slice(0, a);
    const stream = raw.slice(a + 1, b);
    const tag = raw.slice(b + 1, c);
    if ((stream !== "stdout" && stream !== "stderr") || (tag !== "F" && tag !== "P")) return undefined;
    const text = raw.slice(c + 1);
    const held = this.pending[stream];
    if (tag === "P") {
      this.pending[stream] = { time: held?.time ?? time, text: (held?.text ?? "") + text };
      return undefined;
    }
    this.pending[stream] = undefined;
    return { time: held?.time ?? time, stream, text: (held?.text ?? "") + text };
  }
}

/** The log files of `path`, oldest first: path.N, ..., path.1, path. */
export function logFiles(path: string): string[] {
  const base = basename(path);
  const rotated: number[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  for (const n of names) {
    const m = n.startsWith(`${base}.`) ? /^\d+$/.exec(n.slice(base.length + 1)) : null;
    if (m) rotated.push(Number(m[0]));
  }
  rotated.sort((x, y) => y - x);
  const out = rotated.map((i) => `${path}.${i}`);
  if (names.includes(base)) out.push(path);
  return out.map((p) => (p.startsWith("/") ? p : join(dirname(path), basename(p))));
}

export function formatLine(l: LogLine, timestamps?: boolean): string {
  return timestamps ? `${l.time} ${l.text}\n` : `${l.text}\n`;
}

function readWhole(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Every finished line currently in the log files, filtered by since/tail. */
export function readLogs(path: string, opts: LogReadOptions = {}): LogLine[] {
  const since = opts.since === undefined ? undefined : normalizeTime(opts.since);
  const dec = new CriDecoder();
  let out: LogLine[] = [];
  for (const f of logFiles(path)) {
    for (const raw of readWhole(f).split("\n")) {
      if (!raw) continue;
      const l = dec.line(raw);
      if (l && (since === undefined || l.time >= since)) out.push(l);
    }
  }
  if (opts.tail !== undefined && opts.tail >= 0) out = out.slice(Math.max(0, out.length - opts.tail));
  return out;
}

/**
 * `logs -f`: print what is there (since/tail), then follow new lines across rotations
 * until `done()` says the container is finished (checked after a poll that found nothing
 * new). The file handling is LogFollower's (log-follower.ts).
 */
export async function followLogs(
  path: string,
  opts: LogReadOptions & { pollMs?: number; done: () => boolean; fs?: LogFs },
  onLine: (l: LogLine) => void,
): Promise<void> {
  const since = opts.since === undefined ? undefined : normalizeTime(opts.since);
  const dec = new CriDecoder();
  // Until the first catch-up is over, lines are collected so that tail can cut them.
  let initial: LogLine[] | undefined = [];
  const follower = new LogFollower(
    path,
    (raw) => {
      const l = dec.line(raw);
      if (!l || (since !== undefined && l.time < since)) return;
      if (initial) initial.push(l);
      else onLine(l);
    },
    opts.fs,
  );
  try {
    follower.poll();
    const caught = initial;
    initial = undefined;
    const shown = opts.tail !== undefined && opts.tail >= 0 ? caught.slice(Math.max(0, caught.length - opts.tail)) : caught;
    for (const l of shown) onLine(l);

    const pollMs = opts.pollMs ?? 100;
    for (;;) {
      if (follower.poll()) continue;
      if (opts.done()) {
        // Whatever was written before the container finished.
        while (follower.poll()) {}
        break;
      }
      await Bun.sleep(pollMs);
    }
  } finally {
    follower.close();
  }
}
