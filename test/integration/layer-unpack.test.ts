// extractLayer with the default (Node/Bun + addon) fs-ops on layers written by GNU tar,
// gzip and zstd: the unpacked tree matches the source tree (content, modes incl. setuid,
// mtimes, symlinks verbatim, hardlinks, fifos, and ownership when run as root).
// Needs the tar, gzip and zstd commands and the built addon (for mkfifo).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractLayer } from "../../src/image/unpack/extract.ts";
import { addon } from "../../src/native/addon.ts";

const root = process.getuid?.() === 0;
let work: string;
let src: string;

function describeTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(join(dir, r));
      const kind = st.isSymbolicLink() ? `-> ${readlinkSync(join(dir, r))}` : st.isDirectory() ? "dir" : st.isFIFO() ? "fifo" : `file ${readFileSync(join(dir, r), "utf8")}`;
      const owner = root ? ` ${st.uid}:${st.gid}` : "";
      const mtime = st.isSymbolicLink() ? "" : ` @${Math.floor(st.mtimeMs / 1000)}`;
      out.push(`${r} ${kind} ${(st.mode & 0o7777).toString(8)}${owner}${mtime} nlink=${st.isDirectory() ? "-" : st.nlink}`);
      if (st.isDirectory()) walk(r);
    }
  };
  walk("");
  return out;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "husk-layer-int-"));
  src = join(work, "src");
  mkdirSync(join(src, "usr/bin"), { recursive: true });
  mkdirSync(join(src, "long".repeat(40)), { recursive: true });
  writeFileSync(join(src, "usr/bin/su"), "su binary");
  chmodSync(join(src, "usr/bin/su"), 0o4755);
  linkSync(join(src, "usr/bin/su"), join(src, "usr/bin/su-hard"));
  symlinkSync("/usr/bin/su", join(src, "usr/bin/abs"));
  symlinkSync("../../../../escaping-but-verbatim", join(src, "usr/rel"));
  writeFileSync(join(src, "long".repeat(40), "f".repeat(200)), "long name");
  addon().mkfifo(join(src, "usr/fifo"), 0o640);
  chmodSync(join(src, "usr/fifo"), 0o640);
  if (root) {
    chownSync(join(src, "usr/bin/su"), 1234, 5678);
    chownSync(join(src, "usr"), 42, 43);
    chmodSync(join(src, "usr/bin/su"), 0o4755);
  }
  chmodSync(join(src, "usr/bin"), 0o555);
  for (const p of ["usr/bin/su", "usr/fifo", "long".repeat(40), "usr/bin", "usr", "."]) utimesSync(join(src, p), 1_600_000_000, 1_600_000_000);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("extractLayer on real tarballs", () => {
  for (const [name, compress] of [
    ["plain pax", null],
    ["gzip gnu", ["gzip", "-c"]],
    ["zstd pax", ["zstd", "-c", "-q"]],
  ] as const) {
    test(name, async () => {
      const format = name.endsWith("gnu") ? "gnu" : "pax";
      const t = Bun.spawnSync(["tar", `--format=${format}`, "--numeric-owner", "-C", src, "-cf", "-", "."], { stdout: "pipe", stderr: "pipe" });
      expect(t.exitCode).toBe(0);
      let layer = new Uint8Array(t.stdout);
      if (compress) {
        const c = Bun.spawnSync([...compress], { stdin: layer, stdout: "pipe", stderr: "pipe" });
        expect(c.exitCode).toBe(0);
        layer = new Uint8Array(c.stdout);
      }
      const dest = join(work, `dest-${name.replace(" ", "-")}`);
      async function* chunks() {
        for (let i = 0; i < layer.length; i += 777) yield layer.subarray(i, i + 777);
      }
      const res = await extractLayer(chunks(), dest, { root });
      expect(res.skipped).toEqual([]);
      expect(describeTree(dest)).toEqual(describeTree(src));
      expect(lstatSync(join(dest, "usr/bin/su")).ino).toBe(lstatSync(join(dest, "usr/bin/su-hard")).ino);
    });
  }
});

describe.skipIf(!root)("overlay form with the default fs-ops (addon mknod and lsetxattr)", () => {
  test("whiteouts become 0/0 char devices, opaque dirs get the xattr, PAX xattrs and device nodes are kept", async () => {
    const { makeTar, pax, chunked } = await import("../unit/layer-tar-writer.ts");
    const layer = makeTar([
      { name: "d/", type: "5", mode: 0o755 },
      { name: "d/.wh..wh..opq", data: "" },
      { name: "d/keep", data: "kept" },
      { name: ".wh.gone", data: "" },
      pax({ "SCHILY.xattr.user.note": "hello" }),
      { name: "noted", data: "x" },
      { name: "dev/", type: "5", mode: 0o755 },
      { name: "dev/null2", type: "3", mode: 0o666, devmajor: 1, devminor: 3 },
    ]);
    const dest = join(work, "overlay-form");
    const res = await extractLayer(chunked(layer, 64), dest, { root: true });
    expect(res.skipped).toEqual([]);
    const gone = lstatSync(join(dest, "gone"));
    expect([gone.isCharacterDevice(), gone.rdev]).toEqual([true, 0]);
    const nul = lstatSync(join(dest, "dev/null2"));
    expect([nul.isCharacterDevice(), nul.rdev, nul.mode & 0o777]).toEqual([true, (1 << 8) | 3, 0o666]);
    expect(readFileSync(join(dest, "d/keep"), "utf8")).toBe("kept");
    const xattr = (path: string, name: string) =>
      Bun.spawnSync(["python3", "-c", "import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], sys.argv[2]).decode())", path, name]).stdout.toString();
    expect(xattr(join(dest, "d"), "trusted.overlay.opaque")).toBe("y");
    expect(xattr(join(dest, "noted"), "user.note")).toBe("hello");
  });
});
