// --init: husk bind-mounts a small static init (catatonit or tini) from the host at
// /dev/init and runs the command under it. A host binary (podman's catatonit is a
// Debian package) keeps husk-core single-purpose and the executable small; it must be
// static, since the container's libc is not the host's.
import { closeSync, existsSync, openSync, readSync } from "node:fs";

const CANDIDATES = ["/usr/bin/catatonit", "/usr/libexec/podman/catatonit", "/usr/bin/tini-static", "/usr/bin/tini", "/sbin/tini"];

/** True for an ELF file without a PT_INTERP program header (a static executable). */
export function isStaticElf(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return false;
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function findInitBinary(env = process.env.HUSK_INIT): string | undefined {
  for (const p of env ? [env] : CANDIDATES) if (existsSync(p) && isStaticElf(p)) return p;
  return undefined;
}
