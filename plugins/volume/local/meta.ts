// The local driver's record of one volume, <data-root>/volumes/NAME/local.msgpack: its
// options and the mount ids that hold it mounted (the reference count). Read and written
// only under the driver's lock.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { Packr } from "msgpackr/pack";

export interface LocalVolumeMeta {
  name: string;
  created: string;
  options: Record<string, string>;
  /** Who uses the volume now (the engine passes container ids). */
  mountIds: string[];
}

const packr = new Packr({ useRecords: false, moreTypes: false });

export function readMeta(file: string): LocalVolumeMeta | undefined {
  try {
    return packr.unpack(readFileSync(file)) as LocalVolumeMeta;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

export function writeMeta(file: string, meta: LocalVolumeMeta): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, packr.pack(meta));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
