// `logs -f` against rotations, without timing: a fake directory where the monitor's
// writes and rotations (as core-c/src/monitor/cri_log.c does them) run one atomic step at
// a time, interleaved with the follower's file operations by a fixed schedule.
import { describe, expect, test } from "bun:test";
import { type LogFs, LogFollower } from "../../src/engine/log-follower.ts";
import { followLogs } from "../../src/engine/logs.ts";

const PATH = "/c/container.log";
const genName = (g: number) => (g === 0 ? PATH : `${PATH}.${g}`);
const cri = (i: number) => `2024-01-01T00:00:00.${String(i).padStart(9, "0")}Z stdout F line-${i}\n`;

interface Inode {
  data: Buffer;
  nlink: number;
}

/** A directory holding one container log; every LogFs call first lets `beforeOp` run writer steps. */
class FakeDir implements LogFs {
  inodes = new Map<number, Inode>();
  names = new Map<string, number>();
  fds = new Map<number, number>();
  private nextIno = 100;
  private nextFd = 3;
  beforeOp: () => void = () => {};

  create(name: string): void {
    const old = this.names.get(name);
    if (old !== undefined) this.inodes.get(old)!.nlink--;
    const ino = this.nextIno++;
    this.inodes.set(ino, { data: Buffer.alloc(0), nlink: 1 });
    this.names.set(name, ino);
  }
  rename(from: string, to: string): void {
    const ino = this.names.get(from);
    if (ino === undefined) return;
    const over = this.names.get(to);
    if (over !== undefined) this.inodes.get(over)!.nlink--;
    this.names.delete(from);
    this.names.set(to, ino);
  }
  append(name: string, bytes: Buffer): void {
    const node = this.inodes.get(this.names.get(name)!)!;
    node.data = Buffer.concat([node.data, bytes]);
  }
  truncate(name: string): void {
    this.inodes.get(this.names.get(name)!)!.data = Buffer.alloc(0);
  }

  generations(path: string): number[] {
    this.beforeOp();
    const out: number[] = [];
    for (const n of this.names.keys()) {
      if (n === path) out.push(0);
      else if (n.startsWith(`${path}.`)) out.push(Number(n.slice(path.length + 1)));
    }
    return out;
  }
  ino(name: string): number | undefined {
    this.beforeOp();
    return this.names.get(name);
  }
  open(name: string): number | undefined {
    this.beforeOp();
    const ino = this.names.get(name);
    if (ino === undefined) return undefined;
    const fd = this.nextFd++;
    this.fds.set(fd, ino);
    return fd;
  }
  fstat(fd: number) {
    this.beforeOp();
    const ino = this.fds.get(fd)!;
    const node = this.inodes.get(ino)!;
    return { ino, size: node.data.length, nlink: node.nlink };
  }
  read(fd: number, buf: Buffer, pos: number): number {
    this.beforeOp();
    const data = this.inodes.get(this.fds.get(fd)!)!.data;
    // Short reads on purpose: a line is often cut between two reads.
    if (pos >= data.length) return 0;
    const n = Math.min(buf.length, 37, data.length - pos);
    data.copy(buf, 0, pos, pos + n);
    return n;
  }
  close(fd: number): void {
    this.beforeOp();
    if (!this.fds.delete(fd)) throw new Error(`close of fd ${fd} that is not open`);
  }
}

/**
 * The monitor's side as a list of atomic steps: create the log, then per line the
 * rotation (renames highest first, then the new live file) when the line would not fit,
 * and the write in two halves (a reader can see half a line).
 */
function monitorSteps(dir: FakeDir, lines: number, maxSize: number, maxFile: number): (() => void)[] {
  const steps: (() => void)[] = [() => dir.create(PATH)];
  let size = 0;
  for (let i = 0; i < lines; i++) {
    const line = Buffer.from(cri(i));
    if (size > 0 && size + line.length > maxSize) {
      if (maxFile > 1) {
        for (let g = maxFile - 1; g > 0; g--) steps.push(() => dir.rename(genName(g - 1), genName(g)));
        steps.push(() => dir.create(PATH));
      } else {
        steps.push(() => dir.truncate(PATH));
      }
      size = 0;
    }
    const cut = 7 + (i % 40);
    steps.push(() => dir.append(PATH, line.subarray(0, cut)));
    steps.push(() => dir.append(PATH, line.subarray(cut)));
    size += line.length;
  }
  return steps;
}

/** A deterministic schedule: before the follower's n-th file operation, run `burst(n)` monitor steps. */
async function follow(opts: { lines: number; maxSize: number; maxFile: number; burst: (op: number) => number; tail?: number }) {
  const dir = new FakeDir();
  const steps = monitorSteps(dir, opts.lines, opts.maxSize, opts.maxFile);
  let op = 0;
  dir.beforeOp = () => {
    for (let k = opts.burst(op++); k > 0 && steps.length; k--) steps.shift()!();
  };
  const seen: string[] = [];
  // Time passing while the follower sleeps: one monitor step per idle poll, done once all ran.
  const done = () => {
    if (!steps.length) return true;
    steps.shift()!();
    return false;
  };
  await followLogs(PATH, { fs: dir, pollMs: 0, done, tail: opts.tail }, (l) => seen.push(l.text));
  expect(dir.fds.size).toBe(0); // every fd it opened was closed
  return { seen, dir };
}

const all = (n: number) => Array.from({ length: n }, (_, i) => `line-${i}`);

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("logs -f across rotations (fake directory, stepped)", () => {
  test("a monitor step before every m-th file operation, every phase: each line exactly once, in order", async () => {
    for (let m = 1; m <= 7; m++) {
      for (let r = 0; r < m; r++) {
        const { seen } = await follow({ lines: 60, maxSize: 300, maxFile: 40, burst: (op) => (op % m === r ? 1 : 0) });
        expect({ m, r, seen }).toEqual({ m, r, seen: all(60) });
      }
    }
  });

  test("random bursts (whole rotations between two operations), 300 fixed seeds: each line exactly once, in order", async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = mulberry32(seed);
      const { seen } = await follow({
        lines: 80,
        maxSize: 250,
        maxFile: 60,
        burst: () => (rnd() < 0.6 ? 0 : Math.floor(rnd() * 12)),
      });
      expect({ seed, seen }).toEqual({ seed, seen: all(80) });
    }
  });

  test("the log appears and grows while the first catch-up runs (the 619-lines case): nothing twice", async () => {
    // Before the first open the log does not exist; it is created and written during the catch-up.
    for (let first = 0; first < 12; first++) {
      const { seen } = await follow({ lines: 30, maxSize: 400, maxFile: 20, burst: (op) => (op >= first && op < first + 25 ? 1 : 0) });
      expect({ first, seen }).toEqual({ first, seen: all(30) });
    }
  });

  test("tail cuts only the catch-up; later lines all follow", async () => {
    const dir = new FakeDir();
    const steps = monitorSteps(dir, 20, 200, 30);
    // The log, its rotations and ten lines are there before `logs -f` starts.
    const written = () => [...dir.inodes.values()].some((n) => n.data.includes("line-9\n"));
    while (!written()) steps.shift()!();
    const seen: string[] = [];
    const done = () => {
      if (!steps.length) return true;
      steps.shift()!();
      return false;
    };
    await followLogs(PATH, { fs: dir, pollMs: 0, done, tail: 3 }, (l) => seen.push(l.text));
    expect(seen.slice(0, 3)).toEqual(["line-7", "line-8", "line-9"]);
    expect(seen.slice(3)).toEqual(all(20).slice(10));
  });

  test("falling more than max-file rotations behind loses the overwritten files but repeats nothing", async () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rnd = mulberry32(seed);
      const { seen, dir } = await follow({ lines: 120, maxSize: 200, maxFile: 3, burst: () => (rnd() < 0.7 ? 0 : Math.floor(rnd() * 40)) });
      const nums = seen.map((t) => Number(t.slice(5)));
      for (let i = 1; i < nums.length; i++) expect(nums[i]!).toBeGreaterThan(nums[i - 1]!);
      // Whatever the files still hold at the end was all shown.
      const kept = [2, 1, 0]
        .map((g) => dir.names.get(genName(g)))
        .filter((ino) => ino !== undefined)
        .flatMap((ino) => dir.inodes.get(ino!)!.data.toString().trimEnd().split("\n"))
        .map((l) => l.slice(l.lastIndexOf(" ") + 1));
      expect(seen.slice(-kept.length)).toEqual(kept);
      expect(seen.at(-1)).toBe("line-119");
    }
  });

  test("max-file 1 truncates in place; a follower that keeps up sees every line once", async () => {
    // The monitor moves only while the follower is idle: a truncation never outruns it.
    const { seen } = await follow({ lines: 40, maxSize: 200, maxFile: 1, burst: () => 0 });
    expect(seen).toEqual(all(40));
  });

  test("a half-written last line is held back until its end arrives", () => {
    const dir = new FakeDir();
    dir.create(PATH);
    const got: string[] = [];
    const f = new LogFollower(PATH, (raw) => got.push(raw), dir);
    dir.append(PATH, Buffer.from(cri(0) + cri(1).slice(0, 20)));
    expect(f.poll()).toBe(true);
    expect(got).toEqual([cri(0).trimEnd()]);
    expect(f.poll()).toBe(false);
    dir.append(PATH, Buffer.from(cri(1).slice(20)));
    expect(f.poll()).toBe(true);
    expect(got).toEqual([cri(0).trimEnd(), cri(1).trimEnd()]);
    f.close();
  });
});
