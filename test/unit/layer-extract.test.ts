import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { extractLayer, normalizeLayerPath } from "../../src/image/unpack/extract.ts";
import { defaultFsOps, type FsOps } from "../../src/image/unpack/fs-ops.ts";
import { HuskError } from "../../src/runtime/errors.ts";
import { chunked, makeTar, pax, type TarSpec } from "./layer-tar-writer.ts";

let base: string;
let dest: string;
let sentinel: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "husk-layer-"));
  dest = join(base, "dest");
  sentinel = join(base, "sentinel");
  mkdirSync(dest);
  mkdirSync(join(sentinel, "etc"), { recursive: true });
  writeFileSync(join(sentinel, "etc", "passwd"), "root:x:0:0\n");
  writeFileSync(join(sentinel, "x"), "sentinel x\n");
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

/** A listing of everything under dir (type, mode, size, content) to compare before/after. */
function snapshot(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = lstatSync(p);
      out.push(`${p} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${st.isFile() ? readFileSync(p, "utf8") : ""}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.join("\n");
}

interface Call {
  op: string;
  args: unknown[];
}

/**
 * The real ops, except the root-only ones, which are recorded (mknod leaves an empty
 * placeholder file so later lstats see a node). Every path is checked to lie inside dest,
 * with its parent resolving inside dest: an escape fails the test even if it would have
 * been harmless.
 */
function recordingOps(calls: Call[]): FsOps {
  const real = defaultFsOps();
  const inside = (p: string) => {
    if (p !== dest && !p.startsWith(`${dest}/`)) throw new Error(`TEST: op on a path outside dest: ${p}`);
    const parent = realpathSync(p === dest ? dest : dirname(p));
    const destReal = realpathSync(dest);
    if (parent !== destReal && !parent.startsWith(`${destReal}/`) && p !== dest) throw new Error(`TEST: parent of ${p} resolves outside dest: ${parent}`);
  };
  const wrap = <K extends keyof FsOps>(op: K, fake?: FsOps[K]): FsOps[K] =>
    ((...args: unknown[]) => {
      // which arguments are paths: symlink's first is the link's content, not a path
      const pathArgs = op === "symlink" ? [1] : op === "link" ? [0, 1] : [0];
      for (const i of pathArgs) inside(args[i] as string);
      const result = ((fake ?? real[op]) as (...a: unknown[]) => unknown)(...args);
      // Only calls that took effect are recorded (a create that met EEXIST did not).
      if (op !== "lstat") calls.push({ op, args: args.map((a) => (typeof a === "string" ? a.replace(dest, "<dest>") : a instanceof Uint8Array ? new TextDecoder().decode(a) : a)) });
      return result;
    }) as FsOps[K];
  // The fakes of root-only creates fail with EEXIST like the real calls.
  const placeholder = (p: string) => writeFileSync(p, "", { flag: "wx" });
  return {
    lstat: wrap("lstat"),
    mkdir: wrap("mkdir"),
    createFile: wrap("createFile"),
    symlink: wrap("symlink"),
    link: wrap("link"),
    mknod: wrap("mknod", placeholder),
    mkfifo: wrap("mkfifo", placeholder),
    remove: wrap("remove"),
    lchown: wrap("lchown", () => {}),
    chmod: wrap("chmod"),
    lutimes: wrap("lutimes"),
    lsetxattr: wrap("lsetxattr", () => {}),
  };
}

const ops = (calls: Call[], name: string) => calls.filter((c) => c.op === name).map((c) => c.args);

async function extract(entries: TarSpec[], root = false, calls: Call[] = []) {
  return extractLayer(chunked(makeTar(entries), 300), dest, { root, fsOps: recordingOps(calls) });
}

describe("normalizeLayerPath", () => {
  test("lexical normalization", () => {
    expect(normalizeLayerPath("./a//b/./c/")).toBe("a/b/c");
    expect(normalizeLayerPath("a/../b")).toBe("b");
    expect(normalizeLayerPath("./")).toBe("");
    expect(() => normalizeLayerPath("a/../../x")).toThrow('layer entry "a/../../x" refused: path leaves the layer');
    // docker's reading: a leading "/" is the layer root; ".." above it is still refused.
    expect(normalizeLayerPath("/etc")).toBe("etc");
    expect(normalizeLayerPath("//etc/./x")).toBe("etc/x");
    expect(() => normalizeLayerPath("/../x")).toThrow('layer entry "/../x" refused: path leaves the layer');
    expect(() => normalizeLayerPath("")).toThrow(/empty path/);
  });
});

describe("extractLayer (real, without root)", () => {
  test("files, dirs, modes, mtimes, symlinks, hardlinks; devices skipped", async () => {
    const res = await extractLayer(
      chunked(
        gzipSync(
          makeTar([
            { name: "./", type: "5", mode: 0o755, mtime: 1000 },
            { name: "bin/", type: "5", mode: 0o555, mtime: 2000 },
            { name: "bin/su", data: "#!su", mode: 0o4755, mtime: 3000 },
            { name: "bin/sh", type: "1", linkname: "bin/su" },
            { name: "etc/abs-link", type: "2", linkname: "/usr/share/zoneinfo/UTC" },
            { name: "etc/rel-link", type: "2", linkname: "../../../../outside" },
            { name: "deep/implicit/parents/file", data: "x" },
            { name: "dev/null", type: "3", mode: 0o666, devmajor: 1, devminor: 3 },
          ]),
        ),
        333,
      ),
      dest,
      { root: false },
    );
    expect(res.entries).toBe(8);
    expect(res.skipped).toEqual(["dev/null: device node (needs root)"]);
    const su = statSync(join(dest, "bin/su"));
    expect(su.mode & 0o7777).toBe(0o4755);
    expect(su.mtimeMs).toBe(3_000_000);
    expect(readFileSync(join(dest, "bin/su"), "utf8")).toBe("#!su");
    expect(statSync(join(dest, "bin/sh")).ino).toBe(su.ino);
    expect(statSync(join(dest, "bin")).mode & 0o7777).toBe(0o555);
    expect(statSync(join(dest, "bin")).mtimeMs).toBe(2_000_000); // set after its content
    expect(statSync(dest).mtimeMs).toBe(1_000_000);
    expect(readlinkSync(join(dest, "etc/abs-link"))).toBe("/usr/share/zoneinfo/UTC");
    expect(readlinkSync(join(dest, "etc/rel-link"))).toBe("../../../../outside");
    expect(readFileSync(join(dest, "deep/implicit/parents/file"), "utf8")).toBe("x");
    expect(existsSync(join(dest, "dev/null"))).toBe(false);
  });

  test("a fifo through the addon", async () => {
    await extractLayer(chunked(makeTar([{ name: "p", type: "6", mode: 0o640 }])), dest, { root: false });
    const st = lstatSync(join(dest, "p"));
    expect(st.isFIFO()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o640);
  });

  test("later entries replace earlier ones; a file over a symlink replaces the symlink", async () => {
    await extract([
      { name: "s", type: "2", linkname: join(sentinel, "etc/passwd") },
      { name: "s", data: "mine" },
      { name: "d/", type: "5" },
      { name: "d", data: "now a file" },
    ]);
    expect(lstatSync(join(dest, "s")).isFile()).toBe(true);
    expect(readFileSync(join(dest, "s"), "utf8")).toBe("mine");
    expect(readFileSync(join(dest, "d"), "utf8")).toBe("now a file");
    expect(readFileSync(join(sentinel, "etc/passwd"), "utf8")).toBe("root:x:0:0\n");
  });

  test("absolute entry paths and hardlink targets are read from the layer root (docker's way)", async () => {
    await extract([
      { name: "/abs/", type: "5" },
      { name: "/abs/file", data: "inside" },
      { name: "/abs/hard", type: "1", linkname: "/abs/file" },
    ]);
    expect(readFileSync(join(dest, "abs/file"), "utf8")).toBe("inside");
    expect(statSync(join(dest, "abs/hard")).ino).toBe(statSync(join(dest, "abs/file")).ino);
    expect(existsSync("/abs/file")).toBe(false);
  });

  test("the default ops set user xattrs through the addon (root-only ones: test/integration/layer-unpack)", async () => {
    await extractLayer(chunked(makeTar([pax({ "SCHILY.xattr.user.k": "v" }), { name: "f" }])), dest, { root: false });
    const got = Bun.spawnSync(["python3", "-c", "import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], 'user.k').decode())", join(dest, "f")]);
    expect(got.stdout.toString()).toBe("v");
  });
});

describe("extractLayer (recorded kernel ops)", () => {
  test("whiteouts become 0/0 char devices, opaque markers an xattr on the dir", async () => {
    const calls: Call[] = [];
    const res = await extract(
      [
        { name: "etc/", type: "5" },
        { name: "etc/.wh.passwd" },
        { name: "usr/lib/.wh..wh..opq" },
        { name: ".wh.top" },
        { name: ".wh..wh.plnk", type: "5" },
      ],
      true,
      calls,
    );
    expect(res.entries).toBe(5);
    expect(ops(calls, "mknod")).toEqual([
      ["<dest>/etc/passwd", "char", 0, 0, 0],
      ["<dest>/top", "char", 0, 0, 0],
    ]);
    expect(ops(calls, "lsetxattr")).toEqual([["<dest>/usr/lib", "trusted.overlay.opaque", "y"]]);
    expect(lstatSync(join(dest, "usr/lib")).isDirectory()).toBe(true);
    expect(existsSync(join(dest, "etc/.wh.passwd"))).toBe(false);
    expect(existsSync(join(dest, "usr/lib/.wh..wh..opq"))).toBe(false);
    expect(res.skipped).toEqual([".wh..wh.plnk: aufs metadata"]);
  });

  test("without root the opaque xattr is user.overlay.opaque", async () => {
    const calls: Call[] = [];
    await extract([{ name: "a/.wh..wh..opq" }], false, calls);
    expect(ops(calls, "lsetxattr")).toEqual([["<dest>/a", "user.overlay.opaque", "y"]]);
  });

  test("a whiteout replaces an earlier entry of the same name", async () => {
    const calls: Call[] = [];
    await extract([{ name: "f", data: "x" }, { name: ".wh.f" }], true, calls);
    expect(ops(calls, "remove")).toEqual([["<dest>/f"]]);
    expect(ops(calls, "mknod")).toEqual([["<dest>/f", "char", 0, 0, 0]]);
  });

  test("ownership, devices and xattrs as root", async () => {
    const calls: Call[] = [];
    await extract(
      [
        { name: "home/u/", type: "5", uid: 1000, gid: 1000, mode: 0o2750 },
        { name: "home/u/f", data: "d", uid: 1000, gid: 100, mode: 0o6755 },
        { name: "home/u/l", type: "2", linkname: "f", uid: 1000, gid: 100 },
        { name: "dev/sda", type: "4", devmajor: 8, devminor: 1, mode: 0o660, gid: 6 },
        pax({ "SCHILY.xattr.security.capability": "caps" }),
        { name: "bin/ping", data: "p" },
      ],
      true,
      calls,
    );
    expect(ops(calls, "lchown")).toEqual([
      ["<dest>/home/u", 1000, 1000],
      ["<dest>/home/u/l", 1000, 100],
      ["<dest>/dev/sda", 0, 6],
    ]);
    const wf = calls.filter((c) => c.op === "createFile").map((c) => [c.args[0], c.args[1], c.args[2]]);
    expect(wf).toEqual([
      ["<dest>/home/u/f", 0o6755, { uid: 1000, gid: 100 }],
      ["<dest>/bin/ping", 0o644, { uid: 0, gid: 0 }],
    ]);
    expect(ops(calls, "mknod")).toEqual([["<dest>/dev/sda", "block", 0o660, 8, 1]]);
    expect(ops(calls, "lsetxattr")).toEqual([["<dest>/bin/ping", "security.capability", "caps"]]);
    // directory modes last, after the content
    const chmods = ops(calls, "chmod");
    expect(chmods.at(-1)).toEqual(["<dest>/home/u", 0o2750]);
    expect(calls.findIndex((c) => c.op === "chmod" && c.args[0] === "<dest>/home/u")).toBeGreaterThan(
      calls.findIndex((c) => c.op === "createFile"),
    );
  });

  test("without root: no chown, no device nodes, privileged xattrs skipped", async () => {
    const calls: Call[] = [];
    const res = await extract(
      [
        { name: "dev/null", type: "3", devmajor: 1, devminor: 3 },
        pax({ "SCHILY.xattr.security.capability": "caps", "SCHILY.xattr.user.mime": "text/plain" }),
        { name: "f", uid: 5 },
      ],
      false,
      calls,
    );
    expect(ops(calls, "lchown")).toEqual([]);
    expect(ops(calls, "mknod")).toEqual([]);
    expect(ops(calls, "lsetxattr")).toEqual([["<dest>/f", "user.mime", "text/plain"]]);
    expect(res.skipped).toEqual(["dev/null: device node (needs root)", "f: xattr security.capability (needs root)"]);
  });
});

describe("extractLayer refuses hostile layers", () => {
  const cases: Array<{ what: string; entries: () => TarSpec[]; error: RegExp }> = [
    { what: "../escape", entries: () => [{ name: "../escape", data: "x" }], error: /"\.\.\/escape" refused: path leaves the layer/ },
    { what: "/../abs", entries: () => [{ name: "/../abs", data: "x" }], error: /"\/\.\.\/abs" refused: path leaves the layer/ },
    { what: "a/../../x", entries: () => [{ name: "a/", type: "5" }, { name: "a/../../x", data: "x" }], error: /"a\/\.\.\/\.\.\/x" refused: path leaves the layer/ },
    {
      what: "symlink evil -> / then evil/etc/passwd",
      entries: () => [{ name: "evil", type: "2", linkname: "/" }, { name: "evil/etc/passwd", data: "pwned" }],
      error: /"evil\/etc\/passwd" refused: parent "evil" is a symlink/,
    },
    {
      what: "symlink to the sentinel then a write through it",
      entries: () => [{ name: "evil", type: "2", linkname: sentinel }, { name: "evil/etc/passwd", data: "pwned" }],
      error: /"evil\/etc\/passwd" refused: parent "evil" is a symlink/,
    },
    {
      what: "symlink link -> ../.. then link/x",
      entries: () => [{ name: "link", type: "2", linkname: "../.." }, { name: "link/x", data: "pwned" }],
      error: /"link\/x" refused: parent "link" is a symlink/,
    },
    {
      what: "a dir replaced by a symlink, then a write below it",
      entries: () => [{ name: "d/", type: "5" }, { name: "d/f", data: "ok" }, { name: "d", type: "2", linkname: sentinel }, { name: "d/etc/passwd", data: "pwned" }],
      error: /"d\/etc\/passwd" refused: parent "d" is a symlink/,
    },
    {
      what: "a symlink as a deeper parent, then a dir entry through it",
      entries: () => [{ name: "a/b", type: "2", linkname: sentinel }, { name: "a/b/c/", type: "5" }],
      error: /"a\/b\/c\/" refused: parent "a\/b" is a symlink/,
    },
    {
      what: "hardlink to ../../etc/passwd",
      entries: () => [{ name: "h", type: "1", linkname: "../../etc/passwd" }],
      error: /"h" refused: hardlink target leaves the layer/,
    },
    {
      what: "hardlink to an absolute path (read inside the layer, where nothing is there)",
      entries: () => [{ name: "h", type: "1", linkname: join(sentinel, "etc/passwd") }],
      error: /"h" refused: hardlink target ".*etc\/passwd" is not a file extracted earlier/,
    },
    {
      what: "hardlink to a not-yet-extracted path",
      entries: () => [{ name: "h", type: "1", linkname: "later" }, { name: "later", data: "x" }],
      error: /"h" refused: hardlink target "later" is not a file extracted earlier/,
    },
    {
      what: "hardlink through a symlinked parent",
      entries: () => [{ name: "s", type: "2", linkname: join(sentinel, "etc") }, { name: "h", type: "1", linkname: "s/passwd" }],
      error: /"h" refused: hardlink target "s\/passwd" is not a file extracted earlier/,
    },
    {
      what: "hardlink to a file later replaced by a symlink parent",
      entries: () => [
        { name: "d/f", data: "x" },
        { name: "d", type: "2", linkname: join(sentinel, "etc") },
        { name: "h", type: "1", linkname: "d/f" },
      ],
      error: /"h" refused: hardlink target "d\/f" is not a file extracted earlier/,
    },
    {
      what: "a whiteout through a symlinked parent",
      entries: () => [{ name: "s", type: "2", linkname: sentinel }, { name: "s/.wh.x" }],
      error: /"s\/\.wh\.x" refused: parent "s" is a symlink/,
    },
    {
      what: "an opaque marker through a symlinked parent",
      entries: () => [{ name: "s", type: "2", linkname: sentinel }, { name: "s/.wh..wh..opq" }],
      error: /"s\/\.wh\.\.wh\.\.opq" refused: parent "s" is a symlink/,
    },
    {
      what: "a whiteout that names the parent",
      entries: () => [{ name: "a/.wh.." }],
      error: /"a\/\.wh\.\." refused: whiteout without a name/,
    },
  ];

  for (const c of cases) {
    for (const root of [false, true]) {
      test(`${c.what} (root: ${root})`, async () => {
        const before = snapshot(sentinel);
        const calls: Call[] = [];
        const err = await extract(c.entries(), root, calls).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(HuskError);
        expect((err as Error).message).toMatch(c.error);
        expect((err as Error).message.split("\n").length).toBe(1);
        expect(snapshot(sentinel)).toBe(before);
        expect(readdirSync(base).sort()).toEqual(["dest", "sentinel"]);
      });
    }
  }

  test("a file entry over an existing symlink replaces the link and writes nothing outside", async () => {
    const before = snapshot(sentinel);
    await extract([{ name: "p", type: "2", linkname: join(sentinel, "etc/passwd") }, { name: "p", data: "pwned" }]);
    expect(lstatSync(join(dest, "p")).isFile()).toBe(true);
    expect(snapshot(sentinel)).toBe(before);
  });

  test("a dir entry over a symlink replaces the link; its later mode/mtime apply to the new dir", async () => {
    const before = snapshot(sentinel);
    await extract([
      { name: "d/", type: "5", mode: 0o700, mtime: 5 },
      { name: "d", type: "2", linkname: sentinel },
    ]);
    // the pending mode/mtime of the replaced dir must not be applied through the symlink
    expect(lstatSync(join(dest, "d")).isSymbolicLink()).toBe(true);
    expect(snapshot(sentinel)).toBe(before);
    expect(statSync(sentinel).mode & 0o777).not.toBe(0o700);
  });

  test("a refusal stops reading and closes the source stream", async () => {
    const big = gzipSync(makeTar([{ name: "../escape", data: "x" }, ...Array.from({ length: 200 }, (_, i) => ({ name: `f${i}`, data: crypto.getRandomValues(new Uint8Array(5000)) }))]));
    let closed = false;
    let read = 0;
    async function* source() {
      try {
        for (let i = 0; i < big.length; i += 512) {
          read += 512;
          yield big.subarray(i, i + 512);
        }
      } finally {
        closed = true;
      }
    }
    await expect(extractLayer(source(), dest, { root: false, fsOps: recordingOps([]) })).rejects.toThrow(/"\.\.\/escape" refused/);
    expect(closed).toBe(true);
    expect(read).toBeLessThan(big.length);
  });

  test("a truncated gzip layer is refused", async () => {
    const gz = gzipSync(makeTar([{ name: "f", data: "x".repeat(50_000) }]));
    await expect(extractLayer(chunked(gz.subarray(0, gz.length - 20), 4096), dest, { root: false })).rejects.toThrow(
      /layer is truncated: the gzip stream ends early/,
    );
  });

  test("a corrupt header is refused", async () => {
    const tar = makeTar([{ name: "ok", data: "1" }, { name: "next", data: "2" }]);
    tar[1024 + 5] = tar[1024 + 5]! ^ 0x40; // flip a bit in the second header's name
    await expect(extractLayer(chunked(gzipSync(tar)), dest, { root: false })).rejects.toThrow(/bad checksum \(after entry "ok"\)/);
  });
});
