// Reading a blob while it downloads: an IngestWatch is the content store's observer for
// one blob; follow() yields the bytes of its partial file as they are written, and ends
// when the download is verified and complete. This is how a layer is unpacked while it
// streams, without holding it in memory: the download writes at network speed, the
// unpacker reads the same pages back at its own speed, and neither waits for the other.
//
// The bytes a reader sees are NOT verified until the watch is `done`: whoever consumes
// them must keep the result aside until then (LayerStore does) and throw it away when the
// watch fails.

import { closeSync, openSync, read } from "node:fs";
import { HuskError } from "../runtime/errors.ts";
import type { IngestObserver } from "./content-store.ts";

/** The partial file was truncated or replaced (a download started over): read it again. */
export class IngestRestarted extends HuskError {
  constructor(what: string) {
    super(`${what}: the download started over while it was being unpacked`);
    this.name = "IngestRestarted";
  }
}

const READ_SIZE = 1 << 20;

export class IngestWatch implements IngestObserver {
  private fd = -1;
  private readonly fds: number[] = [];
  /** Bumped whenever the partial file is opened afresh (a new download or a resume). */
  private generation = 0;
  /** Bytes in the file of the current generation. */
  private written = 0;
  private state: "running" | "done" | "failed" = "running";
  private error: unknown;
  private wake: (() => void)[] = [];

  constructor(readonly what: string) {}

  /** The blob is already complete and verified at `path` (nothing to download). */
  static complete(what: string, path: string, size: number): IngestWatch {
    const w = new IngestWatch(what);
    w.completeAt(path, size);
    return w;
  }

  onOpen(path: string, size: number): void {
    // Opened here, at once: the writer may rename or unlink the path later, and an open
    // fd keeps reading the same inode. A resume appends to the same file (the fd we have
    // stays good); a fresh start (truncating, or a new file) makes what was read worthless.
    const fresh = this.fd < 0 || size === 0 || size < this.written;
    if (fresh) {
      // Older fds stay open until close(): a read may still be in flight on one.
      this.fd = openSync(path, "r");
      this.fds.push(this.fd);
      this.generation++;
    }
    this.written = size;
    this.notify();
  }

  onWrite(size: number): void {
    this.written = size;
    this.notify();
  }

  /**
   * The download is complete and verified, and the blob is at `path` (read from there if
   * this watch never saw the partial file, e.g. another pull stored it first).
   */
  completeAt(path: string, size: number): void {
    if (this.fd < 0) this.onOpen(path, size);
    this.done();
  }

  /** The download is complete and its digest verified. */
  done(): void {
    this.state = "done";
    this.notify();
  }

  failed(error: unknown): void {
    if (this.state !== "running") return;
    this.state = "failed";
    this.error = error;
    this.notify();
  }

  /** Settles when the download is verified (resolves) or has failed (rejects). */
  async verified(): Promise<void> {
    while (this.state === "running") await this.changed();
    if (this.state === "failed") throw this.error;
  }

  /** Closes the files; call it once the readers are finished. */
  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
    this.fd = -1;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.wake.push(resolve));
  }

  /**
   * The blob's bytes from the start, as they are written. Throws the download's error if
   * it fails before everything was read, and IngestRestarted if the file starts over.
   */
  async *follow(): AsyncGenerator<Uint8Array> {
    while (this.fd < 0 && this.state === "running") await this.changed();
    if (this.fd < 0) throw this.error ?? new HuskError(`${this.what}: nothing was downloaded`);
    const generation = this.generation;
    let pos = 0;
    for (;;) {
      if (this.generation !== generation) throw new IngestRestarted(this.what);
      if (pos < this.written) {
        const fd = this.fd;
        const buf = Buffer.allocUnsafe(Math.min(READ_SIZE, this.written - pos));
        // Async on purpose: it lets the event loop (downloads, progress) run between reads.
        const n = await new Promise<number>((resolve, reject) => read(fd, buf, 0, buf.length, pos, (e, got) => (e ? reject(e) : resolve(got))));
        if (this.generation !== generation) throw new IngestRestarted(this.what);
        if (n === 0) throw new HuskError(`${this.what}: the downloaded file is shorter than announced while unpacking`);
        pos += n;
        yield new Uint8Array(buf.buffer, buf.byteOffset, n);
        continue;
      }
      if (this.state === "done") return;
      if (this.state === "failed") throw this.error;
      await this.changed();
    }
  }
}
