// An anonymous, in-memory file holding some bytes: memfd_create(2) reached through
// bun:ffi, because the addon that wraps it cannot load itself. It lets husk dlopen its
// embedded addon from /proc/self/fd/N, so no writable, exec-able /tmp is needed
// (read-only roots, noexec /tmp on locked-down hosts).
import { closeSync, writeSync } from "node:fs";

const MFD_CLOEXEC = 1;

type Ffi = typeof import("bun:ffi");
let memfdCreate: ((name: string) => number) | undefined;

function bind(): (name: string) => number {
  // Loaded on first use only: bun:ffi is not needed on any other path.
  const ffi = require("bun:ffi") as Ffi;
  const libc = ffi.dlopen("libc.so.6", {
    memfd_create: { args: [ffi.FFIType.ptr, ffi.FFIType.u32], returns: ffi.FFIType.i32 },
  });
  return (name) => libc.symbols.memfd_create(ffi.ptr(Buffer.from(`${name}\0`)), MFD_CLOEXEC);
}

/** A close-on-exec memfd named `name` with `data` written into it. Throws when the
 * kernel lacks memfd_create (before 3.17) or bun:ffi cannot reach libc. */
export function memfdWithContents(name: string, data: Uint8Array): number {
  memfdCreate ??= bind();
  const fd = memfdCreate(name);
  if (fd < 0) throw new Error(`memfd_create("${name}") returned ${fd}`);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}
