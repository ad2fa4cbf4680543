// Atomic replace: write a temp file in the same directory, fsync, rename. `durable`
// false skips the fsync, for files a crash may lose without harm (the caller says why).
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";

export function writeFileAtomic(path: string, data: Uint8Array, mode = 0o600, durable = true): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off);
    if (durable) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {}
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
