// pullImage unpacks layers while they download: through a fake registry that drips a
// layer slowly (the unpacker catches up and waits), and one that serves bytes which
// unpack fine and match the diff id but not the layer digest (nothing may be kept).
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { sha256Of } from "../../src/image/content-store.ts";
import { chainIds, LayerStore } from "../../src/image/layer-store.ts";
import { pullImage } from "../../src/image/pull.ts";
import { HuskError } from "../../src/runtime/errors.ts";
import { MT, buildImage, fakeRegistry } from "../helpers/registry.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dataRoot(): string {
  const d = mkdtempSync(join(tmpdir(), "husk-pull-stream-"));
  dirs.push(d);
  return d;
}
const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** A plain tar of `files` made by GNU tar (padded to its 10 KiB record: bytes after the end marker). */
function tarOf(files: Record<string, Uint8Array | string>): Uint8Array {
  const src = mkdtempSync(join(tmpdir(), "husk-pull-stream-src-"));
  dirs.push(src);
  for (const [p, content] of Object.entries(files)) {
    Bun.spawnSync(["mkdir", "-p", join(src, p, "..")]);
    Bun.write(join(src, p), content);
  }
  Bun.spawnSync(["sync"]);
  const r = Bun.spawnSync(["tar", "--sort=name", "--mtime=@1700000000", "--owner=0", "--group=0", "--numeric-owner", "-C", src, "-cf", "-", "."]);
  if (r.exitCode !== 0) throw new Error(`tar: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

/** Serves `img`; `layerBody(digest, bytes)` may replace a layer's response. */
function serve(img: ReturnType<typeof buildImage>, layerBody?: (digest: string, bytes: Uint8Array) => Response | undefined) {
  const blobs = new Map<string, Uint8Array>([[sha256Of(img.config), img.config], ...img.layers.map((l) => [sha256Of(l), l] as [string, Uint8Array])]);
  return fakeRegistry({
    manifests: new Map([["1", { bytes: img.manifest, mediaType: MT.ociManifest }]]),
    blobs,
    intercept: (_req, url) => {
      const m = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
      return m && blobs.has(m[1]!) ? layerBody?.(m[1]!, blobs.get(m[1]!)!) : undefined;
    },
  });
}

describe("pullImage streams layers into the layer store", () => {
  test("a layer that arrives slowly is unpacked as it comes, and matches", async () => {
    const big = crypto.getRandomValues(new Uint8Array(600_000));
    const l1 = gzipSync(tarOf({ "etc/hostname": "base\n" }));
    const l2 = gzipSync(tarOf({ "data/big.bin": big, "data/small": "s" }));
    const img = buildImage({ layers: [new Uint8Array(l1), new Uint8Array(l2)] });
    let pieces = 0;
    const reg = serve(img, (digest, bytes) => {
      if (digest !== sha256Of(l2)) return undefined;
      // 16 KiB every few ms: the reader catches up with the writer many times.
      const stream = new ReadableStream<Uint8Array>({
        async pull(ctl) {
          const off = pieces++ * 16384;
          if (off >= bytes.length) return ctl.close();
          await Bun.sleep(2);
          ctl.enqueue(bytes.slice(off, off + 16384));
        },
      });
      return new Response(stream, { headers: { "Content-Length": String(bytes.length) } });
    });
    try {
      const root = dataRoot();
      const rec = await pullImage(`${reg.host}/team/app:1`, { dataRoot: root, root: process.getuid?.() === 0 });
      expect(pieces).toBeGreaterThan(20);
      const layers = new LayerStore(root);
      const [c1, c2] = chainIds(rec.layers.map((l) => l.diffId));
      expect(readFileSync(join(layers.diffDir(c1!), "etc/hostname"), "utf8")).toBe("base\n");
      expect(sha256Of(readFileSync(join(layers.diffDir(c2!), "data/big.bin")))).toBe(sha256Of(big));
      expect(list(join(root, "layers"))).toEqual([c1!.slice(7), c2!.slice(7)].sort());
      expect(list(join(root, "ingest"))).toEqual([]);
    } finally {
      reg.stop();
    }
  });

  test("bytes that unpack and match the diff id but not the layer digest: error, nothing kept", async () => {
    const tar = tarOf({ "bin/tool": crypto.getRandomValues(new Uint8Array(200_000)) });
    const good = new Uint8Array(gzipSync(tar));
    // Same bytes but the gzip header's OS field: the same size, it decompresses to the
    // same tar (the right diff id), and it has the wrong digest.
    const other = good.slice();
    other[9] = other[9] === 255 ? 3 : 255;
    expect(sha256Of(other)).not.toBe(sha256Of(good));
    const baseTar = tarOf({ "etc/os-release": "x\n" });
    const base = new Uint8Array(gzipSync(baseTar));
    const img = buildImage({ layers: [base, good] });
    const reg = serve(img, (digest) => (digest === sha256Of(good) ? new Response(other) : undefined));
    try {
      const root = dataRoot();
      const err = await pullImage(`${reg.host}/team/app:1`, { dataRoot: root, root: process.getuid?.() === 0 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HuskError);
      expect((err as Error).message).toContain(`blob ${sha256Of(good)}: content has digest ${sha256Of(other)}`);
      // The good base layer may stay (verified); the bad one left no directory, temp dir, blob or partial.
      const [c1] = chainIds([sha256Of(baseTar)]);
      expect(list(join(root, "layers")).filter((n) => n !== c1!.slice(7))).toEqual([]);
      expect(list(join(root, "blobs/sha256"))).not.toContain(sha256Of(good).slice(7));
      expect(list(join(root, "ingest"))).toEqual([]);
      expect(existsSync(join(root, "images.msgpack"))).toBe(false);
    } finally {
      reg.stop();
    }
  });

  test("a layer cut short by the registry: the waiting unpacker fails, no layer directory", async () => {
    const l1 = new Uint8Array(gzipSync(tarOf({ "f": crypto.getRandomValues(new Uint8Array(300_000)) })));
    const img = buildImage({ layers: [l1] });
    // The registry serves half the layer: the download fails while the unpacker waits on it.
    const reg = serve(img, (_d, bytes) => new Response(bytes.slice(0, bytes.length / 2)));
    try {
      const root = dataRoot();
      const err = await pullImage(`${reg.host}/team/app:1`, { dataRoot: root, root: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HuskError);
      expect(list(join(root, "layers"))).toEqual([]);
      expect(list(join(root, "blobs/sha256"))).not.toContain(sha256Of(l1).slice(7));
    } finally {
      reg.stop();
    }
  });
});
