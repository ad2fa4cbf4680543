import { describe, expect, test } from "bun:test";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { decompress, detectCompression } from "../../src/image/unpack/decompress.ts";
import { readTar, type TarEntry } from "../../src/image/unpack/tar-reader.ts";
import { chunked, gnuLong, makeTar, pax } from "./layer-tar-writer.ts";

const dec = new TextDecoder();

async function bodyText(e: TarEntry): Promise<string> {
  let s = "";
  for await (const c of e.body) s += dec.decode(c, { stream: true });
  return s;
}

async function readAll(data: Uint8Array, chunk = 100, readBodies = true) {
  const out: Array<Omit<TarEntry, "body"> & { text: string }> = [];
  for await (const e of readTar(chunked(data, chunk))) {
    out.push({ ...e, text: readBodies ? await bodyText(e) : "" });
  }
  return out;
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c.slice());
  return Buffer.concat(parts);
}

describe("readTar", () => {
  test("every entry type, with modes, ids, mtimes, links and device numbers", async () => {
    const data = makeTar([
      { name: "dir/", type: "5", mode: 0o755, uid: 1, gid: 2, mtime: 1000 },
      { name: "dir/file", data: "hello", mode: 0o4755, uid: 3, gid: 4, mtime: 2000 },
      { name: "dir/nul-type", type: "\0", data: "old" },
      { name: "dir/hard", type: "1", linkname: "dir/file" },
      { name: "dir/sym", type: "2", linkname: "../../anything" },
      { name: "dev/null", type: "3", mode: 0o666, devmajor: 1, devminor: 3 },
      { name: "dev/sda", type: "4", mode: 0o660, devmajor: 8, devminor: 0 },
      { name: "run/fifo", type: "6", mode: 0o600 },
    ]);
    for (const chunk of [1, 7, 100, 512, 1 << 20]) {
      const es = await readAll(data, chunk);
      expect(es.map((e) => [e.path, e.type])).toEqual([
        ["dir/", "dir"],
        ["dir/file", "file"],
        ["dir/nul-type", "file"],
        ["dir/hard", "hardlink"],
        ["dir/sym", "symlink"],
        ["dev/null", "chardev"],
        ["dev/sda", "blockdev"],
        ["run/fifo", "fifo"],
      ]);
      expect(es[1]).toMatchObject({ mode: 0o4755, uid: 3, gid: 4, mtime: 2000, size: 5, text: "hello" });
      expect(es[2]!.text).toBe("old");
      expect(es[3]!.linkname).toBe("dir/file");
      expect(es[4]!.linkname).toBe("../../anything");
      expect(es[5]).toMatchObject({ devmajor: 1, devminor: 3, mode: 0o666 });
      expect(es[6]).toMatchObject({ devmajor: 8, devminor: 0 });
    }
  });

  test("unread bodies are skipped", async () => {
    const data = makeTar([
      { name: "a", data: "x".repeat(1500) },
      { name: "b", data: "y".repeat(10) },
    ]);
    const es = await readAll(data, 64, false);
    expect(es.map((e) => e.path)).toEqual(["a", "b"]);
    // partially read body
    const names: string[] = [];
    for await (const e of readTar(chunked(data, 64))) {
      names.push(e.path);
      for await (const _c of e.body) break;
    }
    expect(names).toEqual(["a", "b"]);
  });

  test("a v7 '\\0' entry with a trailing slash is a directory", async () => {
    const es = await readAll(makeTar([{ name: "olddir/", type: "\0" }]));
    expect(es[0]).toMatchObject({ path: "olddir/", type: "dir" });
  });

  test("ustar prefix field", async () => {
    const es = await readAll(makeTar([{ name: "file", prefix: "a/b/c", data: "p" }]));
    expect(es[0]!.path).toBe("a/b/c/file");
  });

  test("PAX long names, linkpath, size, ids, mtime and xattrs; global headers", async () => {
    const long = `${"d".repeat(150)}/${"f".repeat(120)}`;
    const longTarget = `${"t".repeat(200)}/x`;
    const data = makeTar([
      pax({ uid: "1234567", gname: "grp" }, "g"),
      pax({ path: long, mtime: "1700000000.5", "SCHILY.xattr.security.capability": new Uint8Array([1, 0, 0xff, 2]), "SCHILY.xattr.user.a": "b" }),
      { name: "short-ignored", data: "body" },
      pax({ linkpath: longTarget, gid: "99999999" }),
      { name: "sym", type: "2", linkname: "short" },
      { name: "plain", data: "" },
    ]);
    const es = await readAll(data, 33);
    expect(es.length).toBe(3);
    expect(es[0]!.path).toBe(long);
    expect(es[0]!.text).toBe("body");
    expect(es[0]!.mtime).toBe(1700000000.5);
    expect(es[0]!.uid).toBe(1234567);
    expect(es[0]!.gname).toBe("grp");
    expect([...es[0]!.xattrs.get("security.capability")!]).toEqual([1, 0, 0xff, 2]);
    expect(dec.decode(es[0]!.xattrs.get("user.a"))).toBe("b");
    expect(es[1]).toMatchObject({ path: "sym", linkname: longTarget, gid: 99999999, uid: 1234567 });
    // per-file overrides do not leak, global ones persist
    expect(es[2]).toMatchObject({ path: "plain", uid: 1234567, gid: 0 });
    expect(es[2]!.xattrs.size).toBe(0);
  });

  test("PAX size overrides the header size", async () => {
    const es = await readAll(makeTar([pax({ size: "3" }), { name: "f", data: "abc" }]));
    expect(es[0]!.size).toBe(3);
    expect(es[0]!.text).toBe("abc");
  });

  test("GNU long names and long links", async () => {
    const long = `${"n".repeat(300)}/file`;
    const link = `${"l".repeat(300)}/target`;
    const es = await readAll(
      makeTar([gnuLong(long), { name: "truncated-name", data: "z" }, gnuLong(link, "K"), gnuLong(`${long}2`), { name: "x", type: "1", linkname: "y" }]),
      10,
    );
    expect(es.map((e) => [e.path, e.linkname, e.text])).toEqual([
      [long, "", "z"],
      [`${long}2`, link, ""],
    ]);
  });

  test("base-256 size encoding", async () => {
    const es = await readAll(makeTar([{ name: "big", data: "0123456789", base256Size: true }]));
    expect(es[0]).toMatchObject({ size: 10, text: "0123456789" });
  });

  test("a bad checksum is refused", async () => {
    const data = makeTar([{ name: "ok", data: "1" }, { name: "bad", data: "2", checksumDelta: 1 }]);
    await expect(readAll(data)).rejects.toThrow(/bad checksum.*after entry "ok".*corrupt/);
  });

  test("truncation inside a body, inside a header, in padding, and before the end marker", async () => {
    const data = makeTar([{ name: "a", data: "a" }, { name: "victim", data: "v".repeat(2000) }]);
    await expect(readAll(data.subarray(0, 1024 + 700))).rejects.toThrow('layer ends inside entry "victim"');
    await expect(readAll(data.subarray(0, 1024 + 2000))).rejects.toThrow('layer ends inside entry "victim"');
    await expect(readAll(data.subarray(0, 1024 + 100))).rejects.toThrow(/layer ends inside a header \(after entry "a"/);
    // skipped (unread) bodies are checked as well
    await expect(readAll(data.subarray(0, 1024 + 700), 100, false)).rejects.toThrow('layer ends inside entry "victim"');
    // cut exactly at an entry boundary: only the missing end marker tells
    const noEnd = makeTar([{ name: "a", data: "a" }], { end: false });
    await expect(readAll(noEnd)).rejects.toThrow(/without the end-of-archive marker.*"a"/);
    const es: string[] = [];
    for await (const e of readTar(chunked(noEnd), { allowMissingEnd: true })) es.push(e.path);
    expect(es).toEqual(["a"]);
    // a long-name header with nothing after it
    await expect(readAll(makeTar([gnuLong("x".repeat(200))], { end: false }))).rejects.toThrow(/ends after a long-name\/PAX header/);
  });

  test("malformed PAX records and unsupported types are refused", async () => {
    await expect(readAll(makeTar([{ name: "p", type: "x", data: "99 path=x\n" }, { name: "f" }]))).rejects.toThrow(/malformed PAX record/);
    await expect(readAll(makeTar([{ name: "sparse", type: "S" }]))).rejects.toThrow(/"sparse" has an unsupported type 'S'/);
  });
});

describe("decompress", () => {
  const plain = makeTar([{ name: "f", data: "x".repeat(100_000) }]);

  test("detects by magic", () => {
    expect(detectCompression(gzipSync(plain))).toBe("gzip");
    expect(detectCompression(zstdCompressSync(plain))).toBe("zstd");
    expect(detectCompression(plain)).toBe("none");
    expect(detectCompression(new Uint8Array([0x1f]))).toBe("none");
  });

  test("gzip, zstd and plain round-trip as streams", async () => {
    for (const [data, kind] of [
      [gzipSync(plain), "gzip"],
      [zstdCompressSync(plain), "zstd"],
      [plain, "none"],
    ] as const) {
      let seen = "";
      const out = await collect(decompress(chunked(data, 1000), "layer", (c) => (seen = c)));
      expect(seen).toBe(kind);
      expect(Buffer.from(out).equals(Buffer.from(plain))).toBe(true);
    }
  });

  test("multi-member gzip", async () => {
    const a = gzipSync(new TextEncoder().encode("abc"));
    const b = gzipSync(new TextEncoder().encode("def"));
    expect(dec.decode(await collect(decompress(chunked(Buffer.concat([a, b]), 5))))).toBe("abcdef");
  });

  test("a truncated gzip fails with a clear error", async () => {
    const gz = gzipSync(plain);
    await expect(collect(decompress(chunked(gz.subarray(0, gz.length - 8), 1000), "layer sha256:abc"))).rejects.toThrow(
      /layer sha256:abc is truncated: the gzip stream ends early/,
    );
  });

  test("corrupt gzip data fails", async () => {
    const gz = Buffer.from(gzipSync(plain));
    gz.fill(0xaa, 20, 60);
    await expect(collect(decompress(chunked(gz, 1000)))).rejects.toThrow(/layer (is not a valid gzip stream|is truncated)/);
  });

  test("a truncated zstd layer is caught by the tar end marker", async () => {
    const big = makeTar(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: `${i}`.repeat(3000) })));
    const zs = zstdCompressSync(big);
    const names: string[] = [];
    const run = async () => {
      for await (const e of readTar(decompress(chunked(zs.subarray(0, zs.length >> 1), 4096)))) names.push(e.path);
    };
    await expect(run()).rejects.toThrow(/layer ends/);
  });
});

describe("interop with GNU tar", () => {
  for (const format of ["pax", "gnu", "ustar"] as const) {
    test(`reads what \`tar --format=${format}\` writes`, async () => {
      const { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, linkSync, rmSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { tmpdir } = await import("node:os");
      const dir = mkdtempSync(join(tmpdir(), "husk-layer-tar-"));
      try {
        const deep = format === "ustar" ? "d/e" : `${"d".repeat(120)}/${"e".repeat(120)}`;
        mkdirSync(join(dir, "src", deep), { recursive: true });
        writeFileSync(join(dir, "src", deep, "file"), "content");
        linkSync(join(dir, "src", deep, "file"), join(dir, "src", "hard"));
        symlinkSync(format === "ustar" ? "t" : "t".repeat(150), join(dir, "src", "sym"));
        const r = Bun.spawnSync(["tar", `--format=${format}`, "-C", join(dir, "src"), "-cf", "-", "."], { stdout: "pipe", stderr: "pipe" });
        expect(r.exitCode).toBe(0);
        const es = await readAll(new Uint8Array(r.stdout), 4096);
        const byPath = new Map(es.map((e) => [e.path.replace(/^\.\//, "").replace(/\/$/, ""), e]));
        expect(byPath.get("sym")).toMatchObject({ type: "symlink", linkname: format === "ustar" ? "t" : "t".repeat(150) });
        // which of the two names carries the data depends on tar's walk order
        const pair = [byPath.get("hard")!, byPath.get(`${deep}/file`)!];
        const file = pair.find((e) => e.type === "file")!;
        const link = pair.find((e) => e.type === "hardlink")!;
        expect(file.text).toBe("content");
        expect(link.linkname).toBe(file.path);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
