// Layers unpacked once per chain id from the content store, with the diff_id checked.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ContentStore, sha256Of } from "../../src/image/content-store.ts";
import { chainId, chainIds, LayerStore } from "../../src/image/layer-store.ts";

const tmp = mkdtempSync("/tmp/husk-layer-store-");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A gzip'd tar of `files` and its diff id (sha256 of the plain tar). */
function layer(name: string, files: Record<string, string>): { gz: Uint8Array; diffId: string; tarSize: number } {
  const src = join(tmp, `src-${name}`);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(join(src, p, ".."), { recursive: true });
    writeFileSync(join(src, p), content);
  }
  const tar = Bun.spawnSync(["tar", "--format=pax", "--numeric-owner", "-C", src, "-cf", "-", "."]).stdout;
  return { gz: Bun.gzipSync(new Uint8Array(tar)), diffId: sha256Of(new Uint8Array(tar)), tarSize: tar.length };
}

describe("chain ids (OCI image-spec)", () => {
  test("the first layer's chain id is its diff id; then sha256(parent + ' ' + diffID)", () => {
    const a = `sha256:${"1".repeat(64)}`;
    const b = `sha256:${"2".repeat(64)}`;
    expect(chainId(undefined, a)).toBe(a);
    expect(chainId(a, b)).toBe(sha256Of(`${a} ${b}`));
    expect(chainIds([a, b])).toEqual([a, sha256Of(`${a} ${b}`)]);
  });
});

describe("LayerStore", () => {
  const content = new ContentStore(join(tmp, "store"));
  const layers = new LayerStore(join(tmp, "store"));
  const root = process.getuid?.() === 0;

  test("unpacks a stack once per chain id, verifying each diff id", async () => {
    const l1 = layer("one", { "etc/hostname": "base\n", "bin/a": "a" });
    const l2 = layer("two", { "etc/hostname": "top\n" });
    const d1 = await content.put(l1.gz);
    const d2 = await content.put(l2.gz);
    const c1 = await layers.unpack(content, d1, l1.diffId, undefined, { root });
    const c2 = await layers.unpack(content, d2, l2.diffId, c1, { root });
    expect([c1, c2]).toEqual(chainIds([l1.diffId, l2.diffId]));
    expect(readFileSync(join(layers.diffDir(c1), "etc/hostname"), "utf8")).toBe("base\n");
    expect(readFileSync(join(layers.diffDir(c2), "etc/hostname"), "utf8")).toBe("top\n");
    expect(layers.meta(c2)).toEqual({ chainId: c2, diffId: l2.diffId, parent: c1, size: l2.tarSize });
    // A second unpack reuses the directory.
    expect(await layers.unpack(content, d1, l1.diffId, undefined, { root })).toBe(c1);
  });

  test("the diff id covers the bytes after the tar end marker (GNU tar pads to 10 KiB records)", async () => {
    const l = layer("padded", { "a/b": "x".repeat(3000) });
    const plain = Bun.gunzipSync(new Uint8Array(l.gz));
    expect(plain.length % 10240).toBe(0); // the end marker is followed by padding
    // Small plain chunks: the tar reader stops at the marker long before the stream ends.
    const chunks = (async function* () {
      for (let i = 0; i < plain.length; i += 512) yield plain.subarray(i, i + 512);
    })();
    const chain = await layers.unpackStream(chunks, "sha256:" + "0".repeat(64), l.diffId, undefined, { root });
    expect(chain).toBe(l.diffId);
    expect(readFileSync(join(layers.diffDir(chain), "a/b"), "utf8")).toBe("x".repeat(3000));
  });

  test("a diff id that does not match the content keeps nothing", async () => {
    const l = layer("bad", { f: "x" });
    const d = await content.put(l.gz);
    const wrong = sha256Of("not this layer");
    await expect(layers.unpack(content, d, wrong, undefined, { root })).rejects.toThrow(`the image config says ${wrong}`);
    expect(layers.has(wrong)).toBe(false);
    expect(readdirSync(join(tmp, "store", "layers")).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
  });
});
