// A streaming tar parser for OCI image layers.
//
// Reads ustar, GNU (long names `L`, long links `K`, base-256 numbers) and PAX (`x`, `g`)
// archives from an async stream of chunks without holding a whole layer in memory. Each
// entry's body is a stream that the caller may read; whatever it leaves unread is skipped
// when the next entry is asked for. Errors are HuskErrors naming the entry.

import { HuskError } from "../../runtime/errors.ts";

export type TarEntryType = "file" | "hardlink" | "symlink" | "chardev" | "blockdev" | "dir" | "fifo";

export interface TarEntry {
  /** The path as stored (after PAX / GNU long-name overrides), not normalized. */
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Body size in bytes (0 for everything but regular files, usually). */
  size: number;
  /** Seconds since the epoch; may be fractional when it came from PAX. */
  mtime: number;
  /** Hardlink or symlink target, verbatim. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** From PAX `SCHILY.xattr.<name>` records; values are raw bytes. */
  xattrs: Map<string, Uint8Array>;
  /** The body. Read it at most once; unread bytes are skipped automatically. */
  body: AsyncIterable<Uint8Array>;
}

export interface TarReadOptions {
  /**
   * Accept a stream that ends cleanly at a header boundary without the two zero blocks
   * that close an archive. Off by default: a layer cut at a file boundary (a truncated
   * download whose decompressor did not notice, as Bun's zstd stream does not) would
   * otherwise pass as a complete, shorter layer.
   */
  allowMissingEnd?: boolean;
  /** Upper bound for PAX headers and GNU long names (bytes). Default 1 MiB. */
  maxMetaSize?: number;
}

const BLOCK = 512;
const textDecoder = new TextDecoder();

/** Pulls exact byte counts out of an async chunk stream. */
class ByteReader {
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private done = false;
  /** Total bytes consumed, for error messages. */
  offset = 0;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.it = chunks[Symbol.asyncIterator]();
  }

  private get available(): number {
    return this.buf.length - this.pos;
  }

  /** Makes sure at least one byte is buffered; false at end of stream. */
  private async fill(): Promise<boolean> {
    while (this.available === 0) {
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      this.buf = r.value;
      this.pos = 0;
    }
    return true;
  }

  /** Reads exactly n bytes, or fewer only at end of stream. */
  async read(n: number): Promise<Uint8Array> {
    if (this.available >= n) {
      const out = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.offset += n;
      return out;
    }
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n && (await this.fill())) {
      const take = Math.min(n - got, this.available);
      out.set(this.buf.subarray(this.pos, this.pos + take), got);
      this.pos += take;
      got += take;
    }
    this.offset += got;
    return got === n ? out : out.subarray(0, got);
  }

  /** Returns up to n bytes without copying (a view into the current chunk); empty at end. */
  async readSome(n: number): Promise<Uint8Array> {
    if (!(await this.fill())) return new Uint8Array(0);
    const take = Math.min(n, this.available);
    const out = this.buf.subarray(this.pos, this.pos + take);
    this.pos += take;
    this.offset += take;
    return out;
  }

  /** Skips n bytes; returns how many were actually skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0 && (await this.fill())) {
      const take = Math.min(left, this.available);
      this.pos += take;
      left -= take;
    }
    this.offset += n - left;
    return n - left;
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
}

function cstring(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return textDecoder.decode(nul < 0 ? b : b.subarray(0, nul));
}

/** Parses a numeric header field: octal (NUL/space padded) or GNU base-256. */
export function parseNumeric(field: Uint8Array, what: string): number {
  const first = field[0] ?? 0;
  if (first & 0x80) {
    // base-256: big-endian two's complement with the top bit of the first byte as marker
    if (first & 0x40) throw new HuskError(`layer header has a negative ${what}`);
    let v = first & 0x3f;
    for (let i = 1; i < field.length; i++) {
      v = v * 256 + (field[i] ?? 0);
      if (v > Number.MAX_SAFE_INTEGER) throw new HuskError(`layer header ${what} is too large`);
    }
    return v;
  }
  let s = cstring(field).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new HuskError(`layer header has a malformed ${what} field "${s}"`);
  s = s.replace(/^0+(?=.)/, "");
  const v = parseInt(s, 8);
  if (!Number.isSafeInteger(v)) throw new HuskError(`layer header ${what} is too large`);
  return v;
}

function checksumOk(h: Uint8Array): boolean {
  const stored = parseNumeric(h.subarray(148, 156), "checksum");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b >= 0x80 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function isZeroBlock(h: Uint8Array): boolean {
  for (let i = 0; i < h.length; i++) if (h[i] !== 0) return false;
  return true;
}

interface Overrides {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  mtime?: number;
  xattrs: Map<string, Uint8Array>;
}

const emptyOverrides = (): Overrides => ({ xattrs: new Map() });

/** Parses PAX records `"<len> <key>=<value>\n"`; values of SCHILY.xattr.* stay bytes. */
export function parsePax(data: Uint8Array, into: Overrides): void {
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0) break; // some writers pad with NULs
    const sp = data.indexOf(0x20, i);
    if (sp < 0) throw new HuskError("layer has a malformed PAX header (no length)");
    const lenStr = textDecoder.decode(data.subarray(i, sp));
    const len = /^[0-9]+$/.test(lenStr) ? parseInt(lenStr, 10) : NaN;
    if (!Number.isSafeInteger(len) || len <= sp - i + 1 || i + len > data.length || data[i + len - 1] !== 0x0a) {
      throw new HuskError(`layer has a malformed PAX record at byte ${i}`);
    }
    const rec = data.subarray(sp + 1, i + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new HuskError(`layer has a malformed PAX record at byte ${i} (no "=")`);
    const key = textDecoder.decode(rec.subarray(0, eq));
    const raw = rec.subarray(eq + 1);
    i += len;
    if (key.startsWith("SCHILY.xattr.")) {
      into.xattrs.set(key.slice("SCHILY.xattr.".length), raw.slice());
      continue;
    }
    const value = textDecoder.decode(raw);
    const num = (what: string): number => {
      if (!/^[0-9]+$/.test(value)) throw new HuskError(`layer has a malformed PAX ${what} "${value}"`);
      const v = parseInt(value, 10);
      if (!Number.isSafeInteger(v)) throw new HuskError(`layer PAX ${what} is too large`);
      return v;
    };
    switch (key) {
      case "path":
        into.path = value;
        break;
      case "linkpath":
        into.linkpath = value;
        break;
      case "size":
        into.size = num("size");
        break;
      case "uid":
        into.uid = num("uid");
        break;
      case "gid":
        into.gid = num("gid");
        break;
      case "uname":
        into.uname = value;
        break;
      case "gname":
        into.gname = value;
        break;
      case "mtime": {
        const m = Number(value);
        if (!/^-?[0-9]+(\.[0-9]+)?$/.test(value) || !Number.isFinite(m)) {
          throw new HuskError(`layer has a malformed PAX mtime "${value}"`);
        }
        into.mtime = m;
        break;
      }
      default:
        break; // atime, ctime, comment, charset, GNU.sparse.* (sparse is refused by type) ...
    }
  }
}

function mergeOverrides(global: Overrides, local: Overrides): Overrides {
  const xattrs = new Map(global.xattrs);
  for (const [k, v] of local.xattrs) xattrs.set(k, v);
  return { ...global, ...local, xattrs };
}

const TYPES: Record<string, TarEntryType> = {
  "0": "file",
  "\0": "file",
  "7": "file", // contiguous file: a regular file everywhere that matters
  "1": "hardlink",
  "2": "symlink",
  "3": "chardev",
  "4": "blockdev",
  "5": "dir",
  "6": "fifo",
};

/**
 * Iterates over the entries of a tar stream. The previous entry's body is skipped (or
 * its remainder) before the next header is read, so a caller may ignore bodies.
 */
export async function* readTar(chunks: AsyncIterable<Uint8Array>, opts: TarReadOptions = {}): AsyncGenerator<TarEntry> {
  const maxMeta = opts.maxMetaSize ?? 1 << 20;
  const r = new ByteReader(chunks);
  let global = emptyOverrides();
  let local = emptyOverrides();
  let longName: string | undefined;
  let longLink: string | undefined;
  let lastName = "(start of layer)";

  const readMeta = async (size: number, what: string, typeflag: string): Promise<Uint8Array> => {
    if (size > maxMeta) throw new HuskError(`layer has a ${what} header of ${size} bytes (limit ${maxMeta})`);
    const data = await r.read(size);
    if (data.length < size) throw new HuskError(`layer ends inside entry ${JSON.stringify(lastName)} (${what} '${typeflag}' record)`);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if ((await r.skip(pad)) < pad) throw new HuskError(`layer ends inside entry ${JSON.stringify(lastName)} (${what} padding)`);
    return data;
  };

  try {
    for (;;) {
      const headerOffset = r.offset;
      const h = await r.read(BLOCK);
      if (h.length === 0) {
        if (longName !== undefined || longLink !== undefined || local.path !== undefined) {
          throw new HuskError(`layer ends after a long-name/PAX header, before its entry (${JSON.stringify(longName ?? local.path ?? longLink)})`);
        }
        if (opts.allowMissingEnd) return;
        throw new HuskError(`layer ends without the end-of-archive marker (after entry ${JSON.stringify(lastName)}); the layer is truncated`);
      }
      if (h.length < BLOCK) throw new HuskError(`layer ends inside a header (after entry ${JSON.stringify(lastName)}, at byte ${headerOffset})`);
      if (isZeroBlock(h)) {
        // End of archive: one zero block is enough for us; a second is conventional.
        return;
      }
      if (!checksumOk(h)) {
        throw new HuskError(`layer header at byte ${headerOffset} has a bad checksum (after entry ${JSON.stringify(lastName)}); the layer is corrupt`);
      }
      const typeflag = String.fromCharCode(h[156]!);
      const magic = textDecoder.decode(h.subarray(257, 263));
      let name = cstring(h.subarray(0, 100));
      if (magic === "ustar\0") {
        const prefix = cstring(h.subarray(345, 500));
        if (prefix) name = `${prefix}/${name}`;
      }
      let size = parseNumeric(h.subarray(124, 136), "size");

      if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
        const what = typeflag === "x" || typeflag === "g" ? "PAX" : "GNU long-name";
        const data = await readMeta(size, what, typeflag);
        if (typeflag === "x") parsePax(data, local);
        else if (typeflag === "g") parsePax(data, global);
        else if (typeflag === "L") longName = cstring(data);
        else longLink = cstring(data);
        continue;
      }

      // Old (v7) archives mark directories only by a trailing slash on a '\0' entry.
      const type = typeflag === "\0" && (longName ?? local.path ?? global.path ?? name).endsWith("/") ? "dir" : TYPES[typeflag];
      const ov = mergeOverrides(global, local);
      const path = longName ?? ov.path ?? name;
      lastName = path;
      if (!type) {
        throw new HuskError(`layer entry ${JSON.stringify(path)} has an unsupported type '${typeflag === "\0" ? "\\0" : typeflag}'`);
      }
      if (ov.size !== undefined) size = ov.size;
      // Only regular files carry data; hardlinks/symlinks/dirs/devices must not consume any
      // (a PAX size on a hardlink is a known foot-gun: ignore it as GNU tar and Go do).
      if (type !== "file") size = 0;

      const entry: TarEntry = {
        path,
        type,
        mode: parseNumeric(h.subarray(100, 108), "mode") & 0o7777,
        uid: ov.uid ?? parseNumeric(h.subarray(108, 116), "uid"),
        gid: ov.gid ?? parseNumeric(h.subarray(116, 124), "gid"),
        uname: ov.uname ?? cstring(h.subarray(265, 297)),
        gname: ov.gname ?? cstring(h.subarray(297, 329)),
        size,
        mtime: ov.mtime ?? parseNumeric(h.subarray(136, 148), "mtime"),
        linkname: longLink ?? ov.linkpath ?? cstring(h.subarray(157, 257)),
        devmajor: type === "chardev" || type === "blockdev" ? parseNumeric(h.subarray(329, 337), "devmajor") : 0,
        devminor: type === "chardev" || type === "blockdev" ? parseNumeric(h.subarray(337, 345), "devminor") : 0,
        xattrs: ov.xattrs,
        body: emptyBody,
      };
      longName = undefined;
      longLink = undefined;
      local = emptyOverrides();

      let remaining = size;
      let started = false;
      const truncated = () => new HuskError(`layer ends inside entry ${JSON.stringify(path)}`);
      entry.body = {
        [Symbol.asyncIterator]: async function* () {
          if (started) throw new HuskError(`layer entry ${JSON.stringify(path)}: body read twice`);
          started = true;
          while (remaining > 0) {
            const chunk = await r.readSome(remaining);
            if (chunk.length === 0) throw truncated();
            remaining -= chunk.length;
            yield chunk;
          }
        },
      };
      yield entry;
      started = true; // a body iterator obtained after this point would read the wrong bytes
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      const skip = remaining + pad;
      remaining = 0;
      if ((await r.skip(skip)) < skip) throw truncated();
    }
  } finally {
    await r.close();
  }
}

const emptyBody: AsyncIterable<Uint8Array> = {
  [Symbol.asyncIterator]: async function* () {},
};
