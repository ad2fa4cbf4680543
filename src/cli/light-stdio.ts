// Bun builds process.stdin/stdout/stderr on first touch, and the first touch costs about
// 3 ms per start (measured in the compiled binary; even reading or redefining the
// property descriptor triggers it). Most husk commands only call `.write` on the streams
// of their clipanion context. So that context gets stand-ins: `write` on stdout/stderr is
// a plain write(2); anything else (isTTY, on, pipe, ...) builds the real stream and
// forwards to it, after which writes go through the real stream too, to keep order.
// (packaging/clipanion-lazy-context.ts stops clipanion from touching the real streams
// when its module is evaluated.)
import { writeSync } from "node:fs";

type Getter = () => NodeJS.ReadStream | NodeJS.WriteStream;

function isEagain(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === "EAGAIN";
}

function standIn(fd: number, realGetter: Getter): unknown {
  let real: (NodeJS.ReadStream | NodeJS.WriteStream) | undefined;
  const materialize = () => (real ??= realGetter());
  const write = (chunk: string | Uint8Array, encoding?: unknown, cb?: unknown): boolean => {
    const done = typeof encoding === "function" ? encoding : cb;
    if (real) return (real as NodeJS.WriteStream).write(chunk as string, done as () => void);
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8") : chunk;
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(fd, bytes, off);
    } catch (e) {
      // A non-blocking pipe that is full: let the real stream queue the rest.
      if (!isEagain(e)) throw e;
      return (materialize() as NodeJS.WriteStream).write(bytes.subarray(off), done as () => void);
    }
    if (typeof done === "function") queueMicrotask(done as () => void);
    return true;
  };
  return new Proxy(
    {},
    {
      get(_t, key) {
        if (key === "write" && fd !== 0) return write;
        if (key === "fd") return fd;
        const r = materialize() as unknown as Record<PropertyKey, unknown>;
        const v = r[key];
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(r) : v;
      },
      set(_t, key, value) {
        (materialize() as unknown as Record<PropertyKey, unknown>)[key] = value;
        return true;
      },
      has(_t, key) {
        return key in materialize();
      },
    },
  );
}

export interface LightContext {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  colorDepth: number;
}

/** A clipanion context whose streams are built only when something needs more than write. */
export function lightContext(): LightContext {
  return {
    env: process.env,
    stdin: standIn(0, () => process.stdin) as NodeJS.ReadStream,
    stdout: standIn(1, () => process.stdout) as NodeJS.WriteStream,
    stderr: standIn(2, () => process.stderr) as NodeJS.WriteStream,
    colorDepth: 1,
  };
}
