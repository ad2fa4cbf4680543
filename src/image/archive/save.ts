// `husk image save`: images from the stores into
// - docker-archive (what `docker save` writes and `docker load`/`podman load` read):
//   manifest.json, repositories, <config-hex>.json and one uncompressed <diffid-hex>.tar
//   per layer (the layer's diff_id is then the digest of that file);
// - oci-archive / oci-dir: an OCI image layout (oci-layout, index.json, blobs/sha256/...)
//   with the blobs exactly as stored, so digests and the image id are unchanged.
// The output is written under a temporary name and renamed into place at the end: a
// failed save leaves nothing behind.
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { HuskError } from "../../runtime/errors.ts";
import { ContentStore, digestHex } from "../content-store.ts";
import { type ImageRecord, ImageStore } from "../image-store.ts";
import { LayerStore } from "../layer-store.ts";
import { canonicalReference, familiarReference, parseReference } from "../reference.ts";
import { type Descriptor, type ImageManifest, MEDIA_TYPES } from "../registry/manifest.ts";
import { decompress, detectCompression } from "../unpack/decompress.ts";
import { TarWriter } from "./tar-writer.ts";

export type SaveFormat = "docker-archive" | "oci-archive" | "oci-dir";
export const SAVE_FORMATS: readonly SaveFormat[] = ["docker-archive", "oci-archive", "oci-dir"];

export interface SaveOptions {
  dataRoot: string;
  format: SaveFormat;
}

/** Where entries go: a tar stream or a directory. */
interface Sink {
  bytes(name: string, data: Uint8Array): Promise<void>;
  file(name: string, size: number, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** A blob copied as it is (a directory sink may copy the file instead of streaming it). */
  copy(name: string, path: string): Promise<void>;
  dir(name: string): Promise<void>;
  end(): Promise<void>;
}

const fileStream = (p: string) => Bun.file(p).stream() as unknown as AsyncIterable<Uint8Array>;

function fdSink(fd: number): Sink {
  return tarSink((b) => {
    let off = 0;
    while (off < b.length) off += writeSync(fd, b, off);
  });
}

/** stdout may be a non-blocking pipe: Bun's writer waits for room instead of failing with EAGAIN. */
function stdoutSink(): Sink {
  const w = Bun.stdout.writer();
  const sink = tarSink(async (b) => {
    w.write(b);
    await w.flush();
  });
  return { ...sink, end: async () => {
    await sink.end();
    await w.flush();
  } };
}

function tarSink(write: (b: Uint8Array) => void | Promise<void>): Sink {
  const tar = new TarWriter(write);
  return {
    bytes: (n, d) => tar.bytes(n, d),
    file: (n, s, b) => tar.file(n, s, b),
    copy: (n, p) => tar.file(n, statSync(p).size, fileStream(p)),
    dir: (n) => tar.dir(n),
    end: () => tar.end(),
  };
}

function dirSink(dir: string): Sink {
  const place = (name: string) => {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    return p;
  };
  return {
    async bytes(name, data) {
      writeFileSync(place(name), data, { mode: 0o644 });
    },
    async file(name, size, body) {
      const fd = openSync(place(name), "w", 0o644);
      try {
        let n = 0;
        for await (const c of body) {
          let off = 0;
          while (off < c.length) off += writeSync(fd, c, off);
          n += c.length;
        }
        if (n !== size) throw new HuskError(`${name}: ${n} bytes, ${size} expected`);
      } finally {
        closeSync(fd);
      }
    },
    async copy(name, path) {
      copyFileSync(path, place(name));
    },
    async dir(name) {
      mkdirSync(join(dir, name), { recursive: true });
    },
    async end() {},
  };
}

interface Chosen {
  record: ImageRecord;
  /** Canonical names the user asked for (none when saved by id). */
  names: string[];
}

/** Resolve the operands, one entry per image, in the order given. */
function choose(images: ImageStore, refs: string[]): Chosen[] {
  const out = new Map<string, Chosen>();
  for (const text of refs) {
    const record = images.resolve(text);
    let name: string | undefined;
    try {
      name = canonicalReference(parseReference(text));
    } catch {}
    const named = name !== undefined && images.list().some((i) => i.record.id === record.id && i.names.includes(name!));
    const entry = out.get(record.id) ?? { record, names: [] };
    if (named && !entry.names.includes(name!)) entry.names.push(name!);
    out.set(record.id, entry);
  }
  return [...out.values()];
}

/** A layer blob as the uncompressed tar whose digest is its diff_id, checked on the way out. */
async function uncompressedLayer(content: ContentStore, layers: LayerStore, l: ImageRecord["layers"][number]): Promise<{ size: number; body: AsyncIterable<Uint8Array> }> {
  const path = content.blobPath(l.digest);
  const head = new Uint8Array(await Bun.file(path).slice(0, 4).arrayBuffer());
  const plain = detectCompression(head) === "none";
  let size = plain ? statSync(path).size : layers.size(l.chainId);
  if (size === undefined) {
    size = 0; // a layer unpacked before sizes were recorded: count once
    for await (const c of decompress(fileStream(path), `layer ${l.digest}`)) size += c.length;
  }
  const body = (async function* () {
    const hasher = new Bun.CryptoHasher("sha256");
    for await (const c of plain ? fileStream(path) : decompress(fileStream(path), `layer ${l.digest}`)) {
      hasher.update(c);
      yield c;
    }
    const got = `sha256:${hasher.digest("hex")}`;
    if (got !== l.diffId) throw new HuskError(`layer ${l.digest}: stored content has diff id ${got}, the image says ${l.diffId}`, "the store is damaged; pull or load the image again");
  })();
  return { size, body };
}

async function writeDockerArchive(sink: Sink, chosen: Chosen[], content: ContentStore, layers: LayerStore): Promise<void> {
  const manifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const written = new Set<string>();
  for (const { record, names } of chosen) {
    const paths: string[] = [];
    for (const l of record.layers) {
      const name = `${digestHex(l.diffId)}.tar`;
      paths.push(name);
      if (written.has(name)) continue;
      const { size, body } = await uncompressedLayer(content, layers, l);
      await sink.file(name, size, body);
      written.add(name);
    }
    const config = `${digestHex(record.id)}.json`;
    if (!written.has(config)) await sink.copy(config, content.blobPath(record.id));
    written.add(config);
    const familiar = names.map((n) => familiarReference(parseReference(n)));
    manifest.push({ Config: config, RepoTags: familiar.length ? familiar : null, Layers: paths });
    const top = paths.at(-1)?.replace(/\.tar$/, "");
    for (const n of names) {
      const r = parseReference(n);
      if (!r.tag || !top) continue;
      const repo = familiarReference({ ...r, tag: undefined, digest: undefined });
      repositories[repo] = { ...repositories[repo], [r.tag]: top };
    }
  }
  await sink.bytes("manifest.json", new TextEncoder().encode(JSON.stringify(manifest)));
  await sink.bytes("repositories", new TextEncoder().encode(JSON.stringify(repositories)));
}

async function writeOciLayout(sink: Sink, chosen: Chosen[], content: ContentStore): Promise<void> {
  const written = new Set<string>();
  const blob = async (digest: string) => {
    if (written.has(digest)) return;
    written.add(digest);
    await sink.copy(`blobs/sha256/${digestHex(digest)}`, content.blobPath(digest));
  };
  const entries: Descriptor[] = [];
  await sink.dir("blobs");
  await sink.dir("blobs/sha256");
  for (const { record, names } of chosen) {
    const bytes = content.read(record.manifestDigest);
    const manifest = JSON.parse(bytes.toString()) as ImageManifest;
    for (const b of [manifest.config, ...manifest.layers]) await blob(b.digest);
    await blob(record.manifestDigest);
    const desc: Descriptor = {
      mediaType: manifest.mediaType ?? MEDIA_TYPES.ociManifest,
      digest: record.manifestDigest,
      size: bytes.length,
      platform: record.platform,
    };
    // docker's and containerd's way: the full name, and the tag alone as the OCI ref name.
    for (const n of names) {
      const r = parseReference(n);
      entries.push({ ...desc, annotations: { "io.containerd.image.name": n, ...(r.tag ? { "org.opencontainers.image.ref.name": r.tag } : {}) } });
    }
    if (!names.length) entries.push(desc);
  }
  await sink.bytes("oci-layout", new TextEncoder().encode(JSON.stringify({ imageLayoutVersion: "1.0.0" })));
  await sink.bytes("index.json", new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: entries })));
}

/** Save `refs` to `out` ("-": stdout). */
export async function saveImages(refs: string[], out: string, opts: SaveOptions): Promise<void> {
  const content = new ContentStore(opts.dataRoot);
  const layers = new LayerStore(opts.dataRoot);
  const chosen = choose(new ImageStore(opts.dataRoot), refs);
  const write = (sink: Sink) => (opts.format === "docker-archive" ? writeDockerArchive(sink, chosen, content, layers) : writeOciLayout(sink, chosen, content)).then(() => sink.end());

  if (opts.format === "oci-dir") {
    if (out === "-") throw new HuskError("an oci-dir cannot go to stdout", "give -o DIR");
    if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length)) throw new HuskError(`${out}: exists and is not an empty directory`, "give a new directory");
    const tmp = `${out}.husk-tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    try {
      mkdirSync(tmp, { recursive: true });
      await write(dirSink(tmp));
      if (existsSync(out)) rmSync(out, { recursive: true });
      renameSync(tmp, out);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    return;
  }
  if (out === "-") {
    await write(stdoutSink());
    return;
  }
  if (existsSync(out) && statSync(out).isDirectory()) throw new HuskError(`${out}: is a directory: EISDIR`, "give a file name, or --format oci-dir");
  const tmp = `${out}.husk-tmp-${process.pid}`;
  let fd: number;
  try {
    fd = openSync(tmp, "w", 0o644);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new HuskError(`cannot write ${out}: ${err.code ?? err.message}`, "check that its directory exists and is writable");
  }
  try {
    await write(fdSink(fd));
    closeSync(fd);
    renameSync(tmp, out);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {}
    rmSync(tmp, { force: true });
    throw e;
  }
}
