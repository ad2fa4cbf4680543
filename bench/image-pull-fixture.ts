// The image the pull benchmark pulls: a busybox base layer and three layers of many files
// of mixed sizes (mostly incompressible bytes, some text), about 190 MB compressed. Built
// once into an OCI image layout under the cache dir and reused while its stamp matches.
//
// The content is deterministic (AES-CTR keystream from a fixed seed, a seeded PRNG for
// names and sizes), so every machine builds the same image and the same digests.

import { createCipheriv } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../test/fixtures/busybox-rootfs.ts";

/** Bump when the image's content or layout changes. */
const FIXTURE_VERSION = 1;

export interface BenchImage {
  /** OCI image layout dir (oci-layout, index.json, blobs/sha256/...). */
  layout: string;
  manifest: Uint8Array;
  manifestDigest: string;
  config: Uint8Array;
  /** Layer blobs (paths), bottom first, with their digests and sizes. */
  layers: { path: string; digest: string; size: number; diffId: string; files: number }[];
  compressedBytes: number;
  uncompressedBytes: number;
}

/** mulberry32: small, seeded, good enough to pick names and sizes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = "the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there one all we their".split(" ");

/** Incompressible bytes: an AES-256-CTR keystream (deterministic per seed). */
function keystream(seed: number) {
  const key = Buffer.alloc(32, 0);
  key.writeUInt32BE(seed, 0);
  const c = createCipheriv("aes-256-ctr", key, Buffer.alloc(16, 0));
  const zeros = Buffer.alloc(1 << 20);
  return (n: number): Buffer => {
    const parts: Buffer[] = [];
    for (let left = n; left > 0; left -= zeros.length) parts.push(c.update(zeros.subarray(0, Math.min(left, zeros.length))));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  };
}

function text(rand: () => number, n: number): Buffer {
  const lines: string[] = [];
  let have = 0;
  while (have < n) {
    const len = 4 + Math.floor(rand() * 10);
    const line = Array.from({ length: len }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" ");
    lines.push(line);
    have += line.length + 1;
  }
  return Buffer.from(lines.join("\n")).subarray(0, n);
}

/**
 * Writes one content layer's files: a tree of package-like dirs holding many small files
 * (0.5-24 KiB), some medium ones (64 KiB-1.5 MiB) and one large file, three in four of them
 * random bytes and the rest text; a few symlinks and hardlinks. Stops at `targetCompressed`
 * estimated compressed bytes (random ~1:1, text ~1:4). Returns the regular file count.
 */
function writeContentLayer(dir: string, n: number, targetCompressed: number): number {
  const rand = prng(1000 + n);
  const bytes = keystream(2000 + n);
  let estimate = 0;
  let files = 0;
  const top = join(dir, "usr", "lib", `app${n}`);
  const put = (rel: string, size: number) => {
    const random = rand() < 0.75;
    const data = random ? bytes(size) : text(rand, size);
    const p = join(top, rel);
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, data);
    estimate += random ? size : size / 4;
    files++;
    return rel;
  };
  put(`data/blob-${n}.bin`, 12 * 1024 * 1024);
  let pkg = 0;
  while (estimate < targetCompressed) {
    pkg++;
    const base = `pkg${String(pkg).padStart(3, "0")}`;
    const small = 30 + Math.floor(rand() * 40);
    let last = "";
    for (let i = 0; i < small && estimate < targetCompressed; i++) {
      const sub = `${base}/mod${Math.floor(rand() * 4)}`;
      last = put(`${sub}/f${i}.${["py", "so", "js", "dat", "txt"][Math.floor(rand() * 5)]}`, 512 + Math.floor(rand() * 24 * 1024));
    }
    if (rand() < 0.6 && estimate < targetCompressed) put(`${base}/lib${pkg}.so.1`, 64 * 1024 + Math.floor(rand() * 1.5 * 1024 * 1024));
    if (last && rand() < 0.3) symlinkSync(`../${last.split("/").pop()}`, join(top, base, `link${pkg}`));
    if (last && rand() < 0.1) linkSync(join(top, last), join(top, base, `hard${pkg}`));
  }
  return files;
}

/** Regular files and symlinks in a tree. */
function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile() || e.isSymbolicLink()) n++;
  return n;
}

function sh(argv: string[], what: string): void {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}): ${r.stderr.toString().trim()}`);
}

async function sha256File(path: string): Promise<string> {
  const h = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) h.update(chunk);
  return `sha256:${h.digest("hex")}`;
}

/** tar (reproducible) + gzip a tree into the layout's blobs; returns the layer descriptor. */
async function packLayer(tree: string, work: string, blobs: string): Promise<{ path: string; digest: string; size: number; diffId: string; uncompressed: number }> {
  const tar = join(work, "layer.tar");
  sh(["tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@1700000000", "-C", tree, "-cf", tar, "."], "tar");
  const diffId = await sha256File(tar);
  const uncompressed = Bun.file(tar).size;
  sh(["gzip", "-n", "-6", tar], "gzip");
  const gz = `${tar}.gz`;
  const digest = await sha256File(gz);
  const path = join(blobs, digest.slice(7));
  renameSync(gz, path);
  return { path, digest, size: Bun.file(path).size, diffId, uncompressed };
}

function stampOf(): string {
  return `image-pull fixture v${FIXTURE_VERSION}\n`;
}

function load(layout: string): BenchImage {
  const meta = JSON.parse(readFileSync(join(layout, "bench-meta.json"), "utf8")) as Omit<BenchImage, "manifest" | "config" | "layout">;
  const blob = (d: string) => new Uint8Array(readFileSync(join(layout, "blobs", "sha256", d.slice(7))));
  const manifest = blob(meta.manifestDigest);
  const m = JSON.parse(new TextDecoder().decode(manifest)) as { config: { digest: string } };
  return { ...meta, layout, manifest, config: blob(m.config.digest) };
}

/** The benchmark image under `cacheDir`, built on first use (a minute or two). */
export async function ensureBenchImage(cacheDir: string, log: (s: string) => void): Promise<BenchImage> {
  const layout = join(cacheDir, `image-pull-v${FIXTURE_VERSION}`);
  if (existsSync(join(layout, "bench-meta.json")) && readFileSync(join(layout, "stamp"), "utf8") === stampOf()) return load(layout);
  log(`building the benchmark image into ${layout} (once)`);
  const rootfs = await ensureBusyboxRootfs();
  const tmp = `${layout}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const blobs = join(tmp, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  const layers: BenchImage["layers"] = [];
  let uncompressedBytes = 0;
  const add = async (tree: string, files: number) => {
    const l = await packLayer(tree, tmp, blobs);
    uncompressedBytes += l.uncompressed;
    layers.push({ path: l.path, digest: l.digest, size: l.size, diffId: l.diffId, files });
    log(`  layer ${layers.length}: ${files} files, ${(l.size / 1e6).toFixed(1)} MB compressed`);
  };
  await add(rootfs, countFiles(rootfs));
  // ~62 MB compressed each: 3 x 62 + the base = ~187 MB, the image size.
  for (let n = 1; n <= 3; n++) {
    const tree = join(tmp, `tree${n}`);
    mkdirSync(tree);
    const files = writeContentLayer(tree, n, 62 * 1024 * 1024 * 0.95);
    if (n === 3) {
      // The top layer deletes a file of a lower one, as updates do (an OCI whiteout).
      mkdirSync(join(tree, "usr", "lib", "app1", "data"), { recursive: true });
      writeFileSync(join(tree, "usr", "lib", "app1", "data", ".wh.blob-1.bin"), "");
    }
    await add(tree, files);
    rmSync(tree, { recursive: true, force: true });
  }
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: "amd64",
      os: "linux",
      created: "2023-11-14T22:13:20Z",
      config: { Cmd: ["/bin/sh"], Env: ["PATH=/usr/local/bin:/usr/bin:/bin"] },
      rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created: "2023-11-14T22:13:20Z", created_by: `bench layer ${i + 1}` })),
    }),
  );
  const configDigest = `sha256:${new Bun.CryptoHasher("sha256").update(config).digest("hex")}`;
  writeFileSync(join(blobs, configDigest.slice(7)), config);
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: l.digest, size: l.size })),
    }),
  );
  const manifestDigest = `sha256:${new Bun.CryptoHasher("sha256").update(manifest).digest("hex")}`;
  writeFileSync(join(blobs, manifestDigest.slice(7)), manifest);
  writeFileSync(join(tmp, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(tmp, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: manifestDigest, size: manifest.length, annotations: { "org.opencontainers.image.ref.name": "bench" } }],
    }),
  );
  const compressedBytes = layers.reduce((a, l) => a + l.size, 0);
  const final = (p: string) => p.replace(tmp, layout);
  writeFileSync(
    join(tmp, "bench-meta.json"),
    JSON.stringify({ manifestDigest, layers: layers.map((l) => ({ ...l, path: final(l.path) })), compressedBytes, uncompressedBytes }, null, 1),
  );
  writeFileSync(join(tmp, "stamp"), stampOf());
  rmSync(layout, { recursive: true, force: true });
  renameSync(tmp, layout);
  return load(layout);
}
