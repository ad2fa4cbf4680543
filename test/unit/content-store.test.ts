import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { ContentStore, digestHex, sha256Of } from "../../src/image/content-store.ts";

const tmp = mkdtempSync("/tmp/husk-unit-cs-");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function* chunks(...parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}
async function* broken(...parts: string[]) {
  yield* chunks(...parts);
  throw new Error("connection reset");
}

describe("content store", () => {
  const store = new ContentStore(`${tmp}/a`);
  const digest = sha256Of("hello world");

  test("a verified blob lands under blobs/ by its digest", async () => {
    const path = await store.ingest(digest, chunks("hello ", "world"), { size: 11 });
    expect(path).toBe(`${tmp}/a/blobs/sha256/${digestHex(digest)}`);
    expect(readFileSync(path, "utf8")).toBe("hello world");
    expect(store.has(digest)).toBe(true);
    expect(readdirSync(`${tmp}/a/ingest`)).toEqual([]);
  });

  test("a digest mismatch keeps nothing and says which digest came", async () => {
    const wrong = sha256Of("something else");
    await expect(store.ingest(wrong, chunks("hello world"))).rejects.toThrow(`blob ${wrong}: content has digest ${digest}`);
    expect(store.has(wrong)).toBe(false);
    expect(readdirSync(`${tmp}/a/ingest`)).toEqual([]);
  });

  test("more bytes than announced, or fewer, are refused", async () => {
    const d = sha256Of("12345");
    await expect(store.ingest(d, chunks("123", "45"), { size: 4 })).rejects.toThrow("more than the 4 bytes announced");
    await expect(store.ingest(d, chunks("12345"), { size: 6 })).rejects.toThrow("5 bytes, 6 announced");
    expect(store.has(d)).toBe(false);
  });

  test("an interrupted download keeps its partial file and resumes from it", async () => {
    const s = new ContentStore(`${tmp}/b`);
    const d = sha256Of("abcdefghij");
    await expect(s.ingest(d, broken("abcd"))).rejects.toThrow("connection reset");
    expect(s.has(d)).toBe(false);
    expect(s.resumeOffset(d)).toBe(4);
    await s.ingest(d, chunks("efgh", "ij"), { resume: true, size: 10 });
    expect(s.read(d).toString()).toBe("abcdefghij");
    expect(existsSync(s.partialPath(d))).toBe(false);
  });

  test("put stores bytes under their own digest; read of a missing blob names it", async () => {
    const s = new ContentStore(`${tmp}/c`);
    const d = await s.put(new TextEncoder().encode('{"a":1}'));
    expect(d).toBe(sha256Of('{"a":1}'));
    expect(s.read(d).toString()).toBe('{"a":1}');
    s.remove(d);
    expect(() => s.read(d)).toThrow(`blob ${d} is not in the content store`);
  });

  test("only sha256 digests are accepted", () => {
    expect(() => digestHex("sha512:abc")).toThrow("unsupported or malformed digest");
    expect(() => digestHex(`sha256:${"A".repeat(64)}`)).toThrow("malformed");
  });
});
