// A file tree for a tarball or a .deb, written to a staging dir with every detail fixed
// (modes, mtimes = SOURCE_DATE_EPOCH), so the archive made from it is the same each time.
import { chmodSync, copyFileSync, lutimesSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type Entry =
  | { path: string; kind: "file"; mode: number; from: string }
  | { path: string; kind: "text"; mode: number; text: string | Uint8Array }
  | { path: string; kind: "symlink"; target: string }
  | { path: string; kind: "dir"; mode?: number };

export function writeTree(dir: string, entries: Entry[], epoch: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const e of entries) {
    const p = join(dir, e.path);
    mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
    if (e.kind === "file") copyFileSync(e.from, p);
    else if (e.kind === "text") writeFileSync(p, e.text);
    else if (e.kind === "symlink") symlinkSync(e.target, p);
    else mkdirSync(p, { recursive: true });
    if (e.kind === "file" || e.kind === "text") chmodSync(p, e.mode);
    if (e.kind === "dir") chmodSync(p, e.mode ?? 0o755);
  }
  fixTimesAndDirModes(dir, epoch);
}

/** Every directory 0755 unless set otherwise above; every mtime the epoch (symlinks too). */
function fixTimesAndDirModes(dir: string, epoch: number): void {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, name.name);
    if (name.isDirectory()) fixTimesAndDirModes(p, epoch);
    lutimesSync(p, epoch, epoch);
  }
  lutimesSync(dir, epoch, epoch);
}
