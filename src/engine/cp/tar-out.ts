// A tar stream of a tree for `husk cp CONTAINER:SRC -`: ustar headers with PAX records
// for long names and link targets, regular files, directories and symlinks (links are
// stored, never followed), ownership and modes as on disk.
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from "node:fs";

const BLOCK = 512;
const enc = new TextEncoder();

function put(h: Uint8Array, off: number, len: number, text: string): void {
  h.set(enc.encode(text).subarray(0, len), off);
}
const octal = (h: Uint8Array, off: number, len: number, v: number) => put(h, off, len, `${Math.max(0, Math.floor(v)).toString(8).padStart(len - 1, "0")}\0`);

function header(name: string, type: string, size: number, st: { mode: number; uid: number; gid: number; mtime: number }, linkname = ""): Uint8Array {
  const h = new Uint8Array(BLOCK);
  put(h, 0, 100, name);
  octal(h, 100, 8, st.mode & 0o7777);
  octal(h, 108, 8, st.uid);
  octal(h, 116, 8, st.gid);
  octal(h, 124, 12, size);
  octal(h, 136, 12, st.mtime);
  h.fill(0x20, 148, 156);
  put(h, 156, 1, type);
  put(h, 157, 100, linkname);
  put(h, 257, 6, "ustar\0");
  put(h, 263, 2, "00");
  let sum = 0;
  for (const b of h) sum += b;
  put(h, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

const pad = (n: number) => new Uint8Array((BLOCK - (n % BLOCK)) % BLOCK);

/** A PAX record: "<len> key=value\n", where len counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = enc.encode(body).length + 1;
  while (String(len).length + enc.encode(body).length !== len) len++;
  return `${len}${body}`;
}

export type Sink = (bytes: Uint8Array) => void;

function entry(out: Sink, name: string, type: string, size: number, st: Stats, linkname = ""): void {
  const pax: string[] = [];
  if (enc.encode(name).length > 100) pax.push(paxRecord("path", name));
  if (enc.encode(linkname).length > 100) pax.push(paxRecord("linkpath", linkname));
  if (size > 0o77777777777) pax.push(paxRecord("size", String(size)));
  if (pax.length) {
    const data = enc.encode(pax.join(""));
    out(header("././@PaxHeader", "x", data.length, { mode: 0o644, uid: 0, gid: 0, mtime: st.mtimeMs / 1000 }));
    out(data);
    out(pad(data.length));
  }
  out(header(name, type, size, { mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtimeMs / 1000 }, linkname));
}

function fileBody(out: Sink, path: string, size: number): void {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(65536);
    let left = size;
    while (left > 0) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, left), null);
      if (n <= 0) break;
      out(buf.subarray(0, n));
      left -= n;
    }
    // A file that shrank while we read it: pad with zeros so the archive stays valid.
    if (left > 0) out(new Uint8Array(left));
  } finally {
    closeSync(fd);
  }
  out(pad(size));
}

/** Writes `path` (a file, dir or link on disk) as `name` and, for a dir, everything below it. */
export function tarTree(out: Sink, path: string, name: string, st: Stats = lstatSync(path)): void {
  if (st.isSymbolicLink()) entry(out, name, "2", 0, st, readlinkSync(path, "utf8"));
  else if (st.isFile()) {
    entry(out, name, "0", st.size, st);
    fileBody(out, path, st.size);
  } else if (st.isDirectory()) {
    entry(out, `${name}/`, "5", 0, st);
    for (const child of readdirSync(path).sort()) tarTree(out, `${path}/${child}`, `${name}/${child}`);
  }
  // Devices, fifos and sockets are left out, as docker cp does for a running container's /dev.
}

export const endOfArchive = () => new Uint8Array(2 * BLOCK);
