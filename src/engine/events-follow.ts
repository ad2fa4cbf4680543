// Reading events.jsonl for `husk events`: replay from --since, then follow new lines by
// offset until --until passes (or forever, until the user stops it). Lines are whole
// (one O_APPEND write each), but a read may still end mid-line: the tail is kept.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { EngineEvent } from "./events.ts";
import { eventTimeMs, parseEventLine } from "./events-view.ts";

export interface FollowOptions {
  /** Replay from this time (ms); without it only events after now are shown (docker). */
  sinceMs?: number;
  /** Stop once this time (ms) has passed. */
  untilMs?: number;
  /** How often to look for new lines while following. */
  pollMs?: number;
  now?: () => number;
  /** Set to stop following (tests, signals). */
  stopped?: () => boolean;
}

const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

export class EventFileReader {
  private offset: number;
  private rest = "";
  constructor(
    readonly file: string,
    fromStart: boolean,
  ) {
    this.offset = fromStart ? 0 : sizeOf(file);
  }

  /** Complete events appended since the last call. */
  next(): EngineEvent[] {
    let fd: number;
    try {
      fd = openSync(this.file, "r");
    } catch {
      return [];
    }
    const chunks: Buffer[] = [];
    try {
      const buf = Buffer.allocUnsafe(65536);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        chunks.push(Buffer.from(buf.subarray(0, n)));
        this.offset += n;
      }
    } finally {
      closeSync(fd);
    }
    const text = this.rest + Buffer.concat(chunks).toString("utf8");
    const lines = text.split("\n");
    this.rest = lines.pop() ?? "";
    return lines.map(parseEventLine).filter((e): e is EngineEvent => e !== undefined);
  }
}

export async function followEvents(file: string, opts: FollowOptions, emit: (ev: EngineEvent) => void): Promise<void> {
  const now = opts.now ?? Date.now;
  const reader = new EventFileReader(file, opts.sinceMs !== undefined);
  const inWindow = (ev: EngineEvent) => {
    const t = eventTimeMs(ev);
    return (opts.sinceMs === undefined || t >= opts.sinceMs) && (opts.untilMs === undefined || t <= opts.untilMs);
  };
  for (;;) {
    const checkedAt = now();
    for (const ev of reader.next()) if (inWindow(ev)) emit(ev);
    if (opts.untilMs !== undefined && checkedAt > opts.untilMs) return;
    if (opts.stopped?.()) return;
    const wait = Math.min(opts.pollMs ?? 100, opts.untilMs === undefined ? Infinity : Math.max(1, opts.untilMs - now() + 1));
    await Bun.sleep(wait);
  }
}
