// IngestWatch: reading a blob's partial file while ContentStore.ingest writes it.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContentStore, sha256Of } from "../../src/image/content-store.ts";
import { IngestRestarted, IngestWatch } from "../../src/image/ingest-follow.ts";
import { HuskError } from "../../src/runtime/errors.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function store(): ContentStore {
  const d = mkdtempSync(join(tmpdir(), "husk-follow-"));
  dirs.push(d);
  return new ContentStore(d);
}

/** A source that hands out its pieces only when `release()` is called, one per call. */
function gated(pieces: Uint8Array[]) {
  const waiting: (() => void)[] = [];
  let allowed = 0;
  return {
    release(n = 1) {
      allowed += n;
      for (const w of waiting.splice(0)) w();
    },
    async *chunks() {
      for (let i = 0; i < pieces.length; i++) {
        while (allowed <= i) await new Promise<void>((r) => waiting.push(r));
        yield pieces[i]!;
      }
    },
  };
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return new Uint8Array(Buffer.concat(parts));
}

describe("IngestWatch", () => {
  const data = crypto.getRandomValues(new Uint8Array(3 * 70_000));
  const pieces = [data.subarray(0, 70_000), data.subarray(70_000, 140_000), data.subarray(140_000)];
  const digest = sha256Of(data);

  test("a reader gets the bytes as they are written, and ends after the verified end", async () => {
    const s = store();
    const w = new IngestWatch("blob");
    const src = gated(pieces);
    const got: number[] = [];
    const reader = (async () => {
      const parts: Uint8Array[] = [];
      for await (const c of w.follow()) {
        parts.push(c);
        got.push(c.length);
        src.release(); // the next piece is written only after this one was read
      }
      return new Uint8Array(Buffer.concat(parts));
    })();
    src.release();
    const ingest = s.ingest(digest, src.chunks(), { size: data.length, observer: w }).then(() => w.completeAt(s.blobPath(digest), data.length));
    const [bytes] = await Promise.all([reader, ingest]);
    expect(sha256Of(bytes)).toBe(digest);
    // it really read while the file grew: one read per written piece
    expect(got).toEqual([70_000, 70_000, 70_000]);
    await w.verified();
    w.close();
  });

  test("a download that fails its digest fails the reader and verified()", async () => {
    const s = store();
    const w = new IngestWatch("blob");
    const wrong = sha256Of("something else");
    const reader = collect(w.follow()).then(
      () => undefined,
      (e: unknown) => e,
    );
    const err = await s.ingest(wrong, (async function* () {
      yield* pieces;
    })(), { observer: w }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HuskError);
    w.failed(err);
    expect(await reader).toBe(err);
    expect(await w.verified().then(() => undefined, (e: unknown) => e)).toBe(err);
    w.close();
  });

  test("a partial file that starts over (a fresh download) stops the reader with IngestRestarted", async () => {
    const s = store();
    const w = new IngestWatch("blob");
    const first = gated(pieces);
    first.release();
    const reader = (async () => {
      for await (const _ of w.follow()) {
        // After the first piece the download "restarts": a new ingest truncates the file.
        await s.ingest(digest, (async function* () {
          yield* pieces;
        })(), { size: data.length, observer: w });
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    // the first ingest never finishes; its source stays gated
    void s.ingest(digest, first.chunks(), { size: data.length, observer: w }).catch(() => {});
    expect(await reader).toBeInstanceOf(IngestRestarted);
    w.close();
  });

  test("a resume (append) keeps the reader going", async () => {
    const s = store();
    const w = new IngestWatch("blob");
    // an interrupted first attempt leaves a partial file...
    await s.ingest(digest, (async function* () {
      yield pieces[0]!;
      throw new Error("connection reset");
    })(), { size: data.length, observer: w }).catch(() => {});
    const reader = collect(w.follow());
    // ...and the resume appends the rest
    await s.ingest(digest, (async function* () {
      yield pieces[1]!;
      yield pieces[2]!;
    })(), { size: data.length, resume: true, observer: w });
    w.completeAt(s.blobPath(digest), data.length);
    expect(sha256Of(await reader)).toBe(digest);
    w.close();
  });

  test("a blob already in the store is read whole", async () => {
    const s = store();
    await s.put(data);
    const w = IngestWatch.complete("blob", s.blobPath(digest), data.length);
    expect(sha256Of(await collect(w.follow()))).toBe(digest);
    await w.verified();
    w.close();
  });
});
