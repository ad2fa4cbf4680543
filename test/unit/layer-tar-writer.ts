// A tiny tar writer for the layer unpacker tests: lets tests craft exactly the headers
// (hostile ones included) that real tar tools would refuse to write.

export interface TarSpec {
  name: string;
  /** typeflag character; default "0" */
  type?: string;
  data?: Uint8Array | string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** ustar prefix field */
  prefix?: string;
  /** encode the size field in GNU base-256 */
  base256Size?: boolean;
  /** add this to the computed checksum (to corrupt it) */
  checksumDelta?: number;
}

const enc = new TextEncoder();

const bytes = (d: Uint8Array | string | undefined) => (d === undefined ? new Uint8Array(0) : typeof d === "string" ? enc.encode(d) : d);

function putString(h: Uint8Array, off: number, len: number, s: string) {
  const b = enc.encode(s);
  if (b.length > len) throw new Error(`field too long: ${s}`);
  h.set(b, off);
}

function putOctal(h: Uint8Array, off: number, len: number, v: number) {
  putString(h, off, len, v.toString(8).padStart(len - 1, "0"));
}

export function header(e: TarSpec, size: number): Uint8Array {
  const h = new Uint8Array(512);
  putString(h, 0, 100, e.name);
  putOctal(h, 100, 8, e.mode ?? 0o644);
  putOctal(h, 108, 8, e.uid ?? 0);
  putOctal(h, 116, 8, e.gid ?? 0);
  if (e.base256Size) {
    h[124] = 0x80;
    let v = size;
    for (let i = 135; i > 124; i--) {
      h[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else {
    putOctal(h, 124, 12, size);
  }
  putOctal(h, 136, 12, e.mtime ?? 1_700_000_000);
  h.fill(0x20, 148, 156);
  h[156] = (e.type ?? "0").charCodeAt(0);
  putString(h, 157, 100, e.linkname ?? "");
  putString(h, 257, 6, "ustar\0");
  putString(h, 263, 2, "00");
  putOctal(h, 329, 8, e.devmajor ?? 0);
  putOctal(h, 337, 8, e.devminor ?? 0);
  putString(h, 345, 155, e.prefix ?? "");
  let sum = 0;
  for (const b of h) sum += b;
  putString(h, 148, 8, `${(sum + (e.checksumDelta ?? 0)).toString(8).padStart(6, "0")}\0 `);
  return h;
}

export function entryBytes(e: TarSpec): Uint8Array {
  const data = bytes(e.data);
  const pad = (512 - (data.length % 512)) % 512;
  const out = new Uint8Array(512 + data.length + pad);
  out.set(header(e, data.length));
  out.set(data, 512);
  return out;
}

/** A PAX record set as an entry of type `x` (or `g`). */
export function pax(records: Record<string, string | Uint8Array>, type = "x"): TarSpec {
  const parts: Uint8Array[] = [];
  for (const [k, v] of Object.entries(records)) {
    const body = [enc.encode(` ${k}=`), bytes(v), enc.encode("\n")];
    const bodyLen = body.reduce((n, b) => n + b.length, 0);
    let len = bodyLen + 1;
    while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
    parts.push(enc.encode(String(len)), ...body);
  }
  return { name: "PaxHeaders/x", type, data: concat(parts) };
}

/** A GNU long name (`L`) or long link (`K`) entry. */
export function gnuLong(name: string, type: "L" | "K" = "L"): TarSpec {
  return { name: "././@LongLink", type, data: enc.encode(`${name}\0`) };
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function makeTar(entries: TarSpec[], opts: { end?: boolean } = {}): Uint8Array {
  const parts = entries.map(entryBytes);
  if (opts.end !== false) parts.push(new Uint8Array(1024));
  return concat(parts);
}

/** Feeds `data` in chunks of `size` bytes (to exercise chunk boundaries). */
export async function* chunked(data: Uint8Array, size = 100): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, Math.min(data.length, i + size));
}
