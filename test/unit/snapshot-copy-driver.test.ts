// The copy snapshot driver's layer logic on a temp dir, without root: a fake CopyOps
// marks whiteouts (empty files of mode 000) and opaque dirs (a set of paths), so the
// bottom-to-top rules are checked apart from the kernel's overlay-form encoding.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyLayers, type CopyOps } from "../../src/storage/copy-driver.ts";
import { type LayerEntry, writeLayerDir } from "../helpers/layer-dir.ts";

let base: string;
const opaque = new Set<string>();

const ops: CopyOps = {
  isWhiteout: (_p, st) => st.isFile() && st.size === 0 && (st.mode & 0o7777) === 0,
  isOpaque: (dir) => opaque.has(dir),
  copyXattrs: () => {},
  mknod: () => {
    throw new Error("no devices in this test");
  },
  mkfifo: () => {
    throw new Error("no fifos in this test");
  },
};

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "husk-copy-driver-"));
  opaque.clear();
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** A layer dir in this test's fake form: a whiteout is an empty file of mode 000. */
function layer(name: string, files: Record<string, LayerEntry>): string {
  return writeLayerDir(join(base, "layers", name), files, {
    whiteout: (p) => {
      writeFileSync(p, "");
      chmodSync(p, 0);
    },
  });
}

/** path -> content / "-> target" / "dir", for the whole tree. */
function view(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out[r] = `-> ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[r] = "dir";
        walk(p, r);
      } else out[r] = readFileSync(p, "utf8");
    }
  };
  walk(dir, "");
  return out;
}

test("whiteouts remove lower files and dirs; opaque dirs hide lower contents; upper wins", () => {
  const l1 = layer("1", { "etc/hostname": "base", "gone.txt": "g", "olddir/a": "a", "opq/old": "o", "opq/sub/x": "x", "keep/k": "k", "t/f": "file" });
  const l2 = layer("2", { "gone.txt": "WHITEOUT", olddir: "WHITEOUT", "opq/new": "n", "etc/hostname": "top", t: { link: "/etc" } });
  opaque.add(join(l2, "opq"));
  const l3 = layer("3", { "gone.txt": "back", "keep/k2": "k2" });
  const dest = join(base, "merged");
  mkdirSync(dest);
  copyLayers([l1, l2, l3], dest, ops);
  expect(view(dest)).toEqual({
    etc: "dir",
    "etc/hostname": "top",
    "gone.txt": "back",
    keep: "dir",
    "keep/k": "k",
    "keep/k2": "k2",
    opq: "dir",
    "opq/new": "n",
    t: "-> /etc",
  });
});

test("a dir replaces a file or a symlink, a file replaces a dir, and nothing is written through a lower symlink", () => {
  const outside = join(base, "outside");
  mkdirSync(outside);
  const l1 = layer("1", { "x/inner": "i", y: "file", s: { link: outside } });
  const l2 = layer("2", { x: "now a file", "y/inner": "now a dir", "s/planted": "p" });
  const dest = join(base, "merged");
  mkdirSync(dest);
  copyLayers([l1, l2], dest, ops);
  expect(view(dest)).toEqual({ x: "now a file", y: "dir", "y/inner": "now a dir", s: "dir", "s/planted": "p" });
  expect(readdirSync(outside)).toEqual([]);
});

test("hardlinks within a layer stay one inode; modes and mtimes are kept", () => {
  const l1 = layer("1", { "bin/tool": "#!tool", "bin/alias": { hard: "bin/tool" }, "bin/suid": "s" });
  chmodSync(join(l1, "bin/suid"), 0o4755);
  chmodSync(join(l1, "bin"), 0o711);
  utimesSync(join(l1, "bin/tool"), 1_000_000, 1_000_000);
  const dest = join(base, "merged");
  mkdirSync(dest);
  copyLayers([l1], dest, ops);
  const a = lstatSync(join(dest, "bin/tool"));
  const b = lstatSync(join(dest, "bin/alias"));
  expect(a.ino).toBe(b.ino);
  expect(a.mtimeMs).toBe(1_000_000_000);
  expect(lstatSync(join(dest, "bin/suid")).mode & 0o7777).toBe(0o4755);
  expect(lstatSync(join(dest, "bin")).mode & 0o7777).toBe(0o711);
});

test("an opaque root hides every lower layer; the top layer's root attributes win", () => {
  const l1 = layer("1", { a: "a" });
  const l2 = layer("2", { b: "b" });
  opaque.add(l2);
  chmodSync(l2, 0o750);
  const dest = join(base, "merged");
  mkdirSync(dest);
  copyLayers([l1, l2], dest, ops);
  expect(view(dest)).toEqual({ b: "b" });
  expect(lstatSync(dest).mode & 0o7777).toBe(0o750);
});
