// Following a container log across the monitor's rotations (core-c/src/monitor/cri_log.c)
// so that no line is read twice or skipped, whatever the interleaving.
//
// What the monitor does, and what this relies on:
// - rotation renames PATH.(n-2) -> PATH.(n-1), ..., PATH -> PATH.1 (highest first), then
//   opens a new PATH; the oldest is overwritten. The monitor is single-threaded, so a file
//   is complete once it has been renamed away from PATH: it is never written again.
// - a file keeps its inode across renames, and an inode we hold open cannot be reused.
// Files are only ever opened by name and then identified by the inode of the open
// descriptor; a name is trusted only when a stat before and after the open agree.
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { StringDecoder } from "node:string_decoder";

/** The few file operations the follower needs; a fake drives it step by step in unit tests. */
export interface LogFs {
  /** Rotation numbers present next to PATH, 0 standing for PATH itself; any order. */
  generations(path: string): number[];
  /** Inode of the file a name points at now, or undefined when there is none. */
  ino(name: string): number | undefined;
  /** An fd for reading, or undefined when the name does not exist. */
  open(name: string): number | undefined;
  fstat(fd: number): { ino: number; size: number; nlink: number };
  read(fd: number, buf: Buffer, pos: number): number;
  close(fd: number): void;
}

export const realLogFs: LogFs = {
  generations(path) {
    const base = basename(path);
    let names: string[];
    try {
      names = readdirSync(dirname(path));
    } catch {
      return [];
    }
    const out: number[] = [];
    for (const n of names) {
      if (n === base) out.push(0);
      else if (n.startsWith(`${base}.`) && /^[1-9]\d*$/.test(n.slice(base.length + 1))) out.push(Number(n.slice(base.length + 1)));
    }
    return out;
  },
  ino(name) {
    try {
      return statSync(name).ino;
    } catch {
      return undefined;
    }
  },
  open(name) {
    try {
      return openSync(name, "r");
    } catch {
      return undefined;
    }
  },
  fstat(fd) {
    const s = fstatSync(fd);
    return { ino: s.ino, size: s.size, nlink: s.nlink };
  },
  read: (fd, buf, pos) => readSync(fd, buf, 0, buf.length, pos),
  close: (fd) => closeSync(fd),
};

interface Held {
  fd: number;
  ino: number;
  off: number;
  /** Bytes of a multi-byte character split between two reads stay here. */
  utf8: StringDecoder;
  /** The unfinished last line of this file. */
  partial: string;
}

/** A racing rotation makes a lookup retry; this bounds it within one poll. */
const RETRIES = 8;

/**
 * Reads PATH's generations oldest first, then the live file as it grows, handing each
 * finished raw line to `onRaw`. Synchronous steps (`poll`) so tests can interleave them
 * with a fake rotation; `followLogs` adds the waiting.
 */
export class LogFollower {
  private cur: Held | undefined;
  private readonly buf = Buffer.alloc(65536);

  constructor(
    private readonly path: string,
    private readonly onRaw: (raw: string) => void,
    private readonly fs: LogFs = realLogFs,
  ) {}

  private name(gen: number): string {
    return gen === 0 ? this.path : `${this.path}.${gen}`;
  }

  /** One step: read what is new, moving on to newer generations. True when anything was read or moved. */
  poll(): boolean {
    let progressed = false;
    if (!this.cur) {
      const first = this.openOldest();
      if (!first) return false;
      this.cur = this.hold(first);
      progressed = true;
    }
    for (;;) {
      const cur: Held = this.cur!;
      this.truncatedInPlace(cur);
      if (this.drain(cur)) progressed = true;
      const next = this.successor(cur);
      if (next === "live" || next === "wait") return progressed;
      // cur was renamed before `successor` looked, so it is complete: finish it, then move on.
      this.drain(cur);
      this.fs.close(cur.fd);
      this.cur = this.hold(next);
      progressed = true;
    }
  }

  close(): void {
    if (this.cur) this.fs.close(this.cur.fd);
    this.cur = undefined;
  }

  private hold(fd: number): Held {
    return { fd, ino: this.fs.fstat(fd).ino, off: 0, utf8: new StringDecoder("utf8"), partial: "" };
  }

  private drain(cur: Held): boolean {
    let any = false;
    for (;;) {
      const n = this.fs.read(cur.fd, this.buf, cur.off);
      if (n <= 0) return any;
      any = true;
      cur.off += n;
      let text = cur.partial + cur.utf8.write(this.buf.subarray(0, n));
      let nl: number;
      while ((nl = text.indexOf("\n")) >= 0) {
        const raw = text.slice(0, nl);
        text = text.slice(nl + 1);
        if (raw) this.onRaw(raw);
      }
      // A line cut by a read (the writer mid-write) waits here for the rest of this file;
      // it is never joined with another file.
      cur.partial = text;
    }
  }

  /** With max-file 1 the monitor truncates the live file instead of renaming it: start it again. */
  private truncatedInPlace(cur: Held): void {
    if (this.fs.fstat(cur.fd).size < cur.off) {
      cur.off = 0;
      cur.partial = "";
      cur.utf8 = new StringDecoder("utf8");
    }
  }

  /** Where inode `ino` is now (0 = live), or -1 when no name points at it. */
  private generationOf(ino: number): number {
    for (const g of this.fs.generations(this.path).sort((a, b) => a - b)) {
      if (this.fs.ino(this.name(g)) === ino) return g;
    }
    return -1;
  }

  /**
   * The file that became live when `cur` was rotated away: the name one below cur's,
   * trusted only if cur sat at its own name both before and after the open (a rotation
   * moves cur before it moves anything into the name below it).
   */
  private successor(cur: Held): number | "live" | "wait" {
    for (let i = 0; i < RETRIES; i++) {
      const g = this.generationOf(cur.ino);
      if (g === 0) return "live";
      if (g < 0) {
        // Overwritten as the oldest (we fell max-file rotations behind): every file left is newer.
        if (this.fs.fstat(cur.fd).nlink === 0) return this.openOldest() ?? "wait";
        continue; // renamed while we looked; look again
      }
      const fd = this.fs.open(this.name(g - 1));
      const still = this.fs.ino(this.name(g)) === cur.ino;
      if (fd !== undefined && still) return fd;
      if (fd !== undefined) this.fs.close(fd);
      if (still) return "wait"; // mid-rotation: the name below is not there yet
    }
    return "wait";
  }

  /** The oldest generation present, checked to still be the oldest after it was opened. */
  private openOldest(): number | undefined {
    for (let i = 0; i < RETRIES; i++) {
      const top = Math.max(...this.fs.generations(this.path));
      if (top < 0 || !Number.isFinite(top)) return undefined;
      const fd = this.fs.open(this.name(top));
      if (fd === undefined) continue;
      const ino = this.fs.fstat(fd).ino;
      if (Math.max(...this.fs.generations(this.path)) === top && this.fs.ino(this.name(top)) === ino) return fd;
      this.fs.close(fd);
    }
    return undefined;
  }
}
