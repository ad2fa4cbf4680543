// Blobs by digest under <root>/blobs/sha256/<hex>, shared by every image. A blob is
// streamed into <root>/ingest/<hex>.partial while it is hashed, and renamed into place
// only when its digest and size match: nothing unverified is ever kept under blobs/.
// A partial file left by an interrupted download is resumed (its bytes are re-hashed).
// A reader may follow the partial file while it grows (ingest-follow.ts): the ingest
// tells it when the file is opened and how far it is written.
import { closeSync, existsSync, fsync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { HuskError } from "../runtime/errors.ts";

const SHA256 = /^sha256:([0-9a-f]{64})$/;

export function digestHex(digest: string): string {
  const m = SHA256.exec(digest);
  if (!m) throw new HuskError(`unsupported or malformed digest "${digest}"`, "husk stores sha256 digests only");
  return m[1]!;
}

export function sha256Of(data: Uint8Array | string): string {
  return `sha256:${new Bun.CryptoHasher("sha256").update(data).digest("hex")}`;
}

/** Writes every chunk to fd and the hasher; `check` sees the running size after each
 * chunk (and may throw to stop). Returns the bytes written. */
async function writeHashed(fd: number, chunks: AsyncIterable<Uint8Array>, hasher: Bun.CryptoHasher, start: number, check?: (size: number) => void): Promise<number> {
  let size = start;
  for await (const chunk of chunks) {
    let off = 0;
    while (off < chunk.length) off += writeSync(fd, chunk, off);
    hasher.update(chunk);
    size += chunk.length;
    check?.(size);
  }
  // On the thread pool: a layer's fsync takes a while, and the unpack of the layers that
  // arrived before it goes on in this thread meanwhile.
  await new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
  return size;
}

/** Feeds a file to the hasher in pieces (a resumed layer may be large); returns its size. */
function hashFile(path: string, hasher: Bun.CryptoHasher): number {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  let size = 0;
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, size)) > 0; size += n) hasher.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return size;
}

export interface IngestObserver {
  /** The partial file was (re)opened for writing; `size` bytes are already in it. */
  onOpen?(path: string, size: number): void;
  /** `size` bytes are written to the partial file (not yet verified). */
  onWrite?(size: number): void;
}

export class ContentStore {
  constructor(readonly root: string) {}

  blobPath(digest: string): string {
    return `${this.root}/blobs/sha256/${digestHex(digest)}`;
  }

  partialPath(digest: string): string {
    return `${this.root}/ingest/${digestHex(digest)}.partial`;
  }

  has(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  /** Bytes already downloaded for an interrupted ingest (for an HTTP Range request). */
  resumeOffset(digest: string): number {
    try {
      return statSync(this.partialPath(digest)).size;
    } catch {
      return 0;
    }
  }

  /**
   * Stream `chunks` into the store as `digest`. With `resume`, they continue the partial
   * file's bytes. Throws (and drops the partial file) on a digest or size mismatch.
   */
  async ingest(digest: string, chunks: AsyncIterable<Uint8Array>, opts: { size?: number; resume?: boolean; observer?: IngestObserver } = {}): Promise<string> {
    const target = this.blobPath(digest);
    if (existsSync(target)) return target;
    mkdirSync(`${this.root}/ingest`, { recursive: true });
    mkdirSync(`${this.root}/blobs/sha256`, { recursive: true });
    const partial = this.partialPath(digest);
    const hasher = new Bun.CryptoHasher("sha256");
    let size = 0;
    if (opts.resume && existsSync(partial)) size = hashFile(partial, hasher);
    const fd = openSync(partial, opts.resume ? "a" : "w", 0o644);
    opts.observer?.onOpen?.(partial, size);
    try {
      size = await writeHashed(fd, chunks, hasher, size, (n) => {
        if (opts.size !== undefined && n > opts.size) throw new HuskError(`blob ${digest}: more than the ${opts.size} bytes announced`);
        opts.observer?.onWrite?.(n);
      });
    } catch (e) {
      closeSync(fd);
      if (e instanceof HuskError) rmSync(partial, { force: true });
      throw e; // a broken stream keeps its partial file for a resume
    }
    closeSync(fd);
    const got = `sha256:${hasher.digest("hex")}`;
    if (got !== digest || (opts.size !== undefined && size !== opts.size)) {
      unlinkSync(partial);
      throw new HuskError(
        got !== digest ? `blob ${digest}: content has digest ${got}` : `blob ${digest}: ${size} bytes, ${opts.size} announced`,
        "the registry or archive served corrupt data; nothing was kept",
      );
    }
    renameSync(partial, target);
    return target;
  }

  /** Store a stream whose digest is not known in advance (docker-archive layers);
   * returns its digest, size, and whether it is new to the store (for cleanup on failure). */
  async ingestAny(chunks: AsyncIterable<Uint8Array>): Promise<{ digest: string; size: number; created: boolean }> {
    mkdirSync(`${this.root}/ingest`, { recursive: true });
    mkdirSync(`${this.root}/blobs/sha256`, { recursive: true });
    const tmp = `${this.root}/ingest/unknown-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.partial`;
    const hasher = new Bun.CryptoHasher("sha256");
    let size = 0;
    const fd = openSync(tmp, "w", 0o644);
    try {
      size = await writeHashed(fd, chunks, hasher, 0);
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw e;
    }
    closeSync(fd);
    const digest = `sha256:${hasher.digest("hex")}`;
    const created = !this.has(digest);
    if (created) renameSync(tmp, this.blobPath(digest));
    else unlinkSync(tmp);
    return { digest, size, created };
  }

  /** Store bytes already in memory (manifests, configs). */
  async put(data: Uint8Array, digest = sha256Of(data)): Promise<string> {
    await this.ingest(digest, (async function* () {
      yield data;
    })(), { size: data.length });
    return digest;
  }

  read(digest: string): Buffer {
    try {
      return readFileSync(this.blobPath(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new HuskError(`blob ${digest} is not in the content store`);
      throw e;
    }
  }

  remove(digest: string): void {
    rmSync(this.blobPath(digest), { force: true });
  }
}
