// A small streaming tar writer for `image save`: ustar headers, regular files and
// directories only, names up to 100 bytes (the archives husk writes never need more).
// Every entry's size is known before its body, as tar requires; a body that does not
// deliver exactly that many bytes is an error rather than a corrupt archive.
import { HuskError } from "../../runtime/errors.ts";

const enc = new TextEncoder();
const BLOCK = 512;

function field(h: Uint8Array, off: number, len: number, text: string): void {
  const b = enc.encode(text);
  if (b.length > len) throw new HuskError(`tar entry field "${text}" is longer than ${len} bytes`);
  h.set(b, off);
}

function octal(h: Uint8Array, off: number, len: number, v: number): void {
  field(h, off, len, `${v.toString(8).padStart(len - 1, "0")}\0`);
}

export function tarHeader(name: string, type: "file" | "dir", size: number, mode: number, mtime: number): Uint8Array {
  if (size > 0o77777777777) throw new HuskError(`tar entry ${name}: ${size} bytes is more than ustar can say`);
  const h = new Uint8Array(BLOCK);
  field(h, 0, 100, name);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156);
  h[156] = (type === "dir" ? "5" : "0").charCodeAt(0);
  field(h, 257, 6, "ustar\0");
  field(h, 263, 2, "00");
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

export class TarWriter {
  constructor(private readonly write: (bytes: Uint8Array) => void | Promise<void>) {}

  async dir(name: string, mtime = 0): Promise<void> {
    await this.write(tarHeader(name.endsWith("/") ? name : `${name}/`, "dir", 0, 0o755, mtime));
  }

  async bytes(name: string, data: Uint8Array, mtime = 0): Promise<void> {
    await this.file(name, data.length, (async function* () {
      yield data;
    })(), mtime);
  }

  async file(name: string, size: number, body: AsyncIterable<Uint8Array>, mtime = 0): Promise<void> {
    await this.write(tarHeader(name, "file", size, 0o644, mtime));
    let n = 0;
    for await (const chunk of body) {
      n += chunk.length;
      if (n > size) throw new HuskError(`tar entry ${name}: more than the ${size} bytes expected`);
      await this.write(chunk);
    }
    if (n !== size) throw new HuskError(`tar entry ${name}: ${n} bytes, ${size} expected`);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad) await this.write(new Uint8Array(pad));
  }

  /** The two zero blocks that end an archive. */
  async end(): Promise<void> {
    await this.write(new Uint8Array(2 * BLOCK));
  }
}
