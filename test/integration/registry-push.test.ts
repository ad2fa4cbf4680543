// The blob upload protocol against a real Distribution registry (Debian docker-registry):
// a monolithic PUT for a small blob, PATCH chunks for a big one (chunk size made small
// here), each read back and compared, plus the requests on the wire from a recording proxy.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContentStore, sha256Of } from "../../src/image/content-store.ts";
import { parseReference } from "../../src/image/reference.ts";
import { RegistryClient } from "../../src/image/registry/client.ts";
import { uploadBlob } from "../../src/image/registry/upload.ts";
import { HuskError } from "../../src/runtime/errors.ts";
import { ensureDockerRegistry, registryBlobPath, startRegistry, type TestRegistry } from "../helpers/registry.ts";

const found = ensureDockerRegistry();
const skip = "skip" in found;
let reg: TestRegistry;
let store = "";
/** Requests seen by a proxy in front of the registry: method, path and Content-Range. */
const seen: { method: string; path: string; range: string | null }[] = [];
let proxy: ReturnType<typeof Bun.serve>;

beforeAll(async () => {
  if (skip) return;
  reg = await startRegistry({ bin: (found as { bin: string }).bin });
  store = mkdtempSync(join(tmpdir(), "husk-push-store-"));
  proxy = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      seen.push({ method: req.method, path: url.pathname + url.search, range: req.headers.get("content-range") });
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      const res = await fetch(`${reg.url}${url.pathname}${url.search}`, { method: req.method, headers: req.headers, body, redirect: "manual" });
      const headers = new Headers(res.headers);
      // Keep the client talking to the proxy: upload Locations are absolute.
      const loc = headers.get("location");
      if (loc) headers.set("location", loc.replace(reg.url, `http://127.0.0.1:${proxy.port}`));
      return new Response(req.method === "HEAD" ? null : await res.arrayBuffer(), { status: res.status, headers });
    },
  });
});
afterAll(async () => {
  if (skip) return;
  proxy?.stop(true);
  await reg?.stop();
  rmSync(store, { recursive: true, force: true });
});

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(b.subarray(off, Math.min(n, off + 65536)));
  return b;
}

describe.skipIf(skip)("blob upload to docker-registry", () => {
  const host = () => `127.0.0.1:${proxy.port}`;
  const client = () => new RegistryClient({ insecure: [host()] });

  test("a small blob: HEAD (absent), POST, one PUT with the digest; a second upload only HEADs", async () => {
    const data = randomBytes(3000);
    const desc = { mediaType: "application/octet-stream", digest: sha256Of(data), size: data.length };
    const ref = parseReference(`${host()}/up/small:1`);
    seen.length = 0;
    expect(await uploadBlob(client(), ref, desc, new Blob([data]), { chunkSize: 4096 })).toBe("pushed");
    expect(seen.map((s) => s.method)).toEqual(["GET", "HEAD", "POST", "PUT"]);
    expect(seen.at(-1)!.path).toContain(`digest=${encodeURIComponent(desc.digest)}`);
    expect(sha256Of(readFileSync(registryBlobPath(reg, desc.digest)))).toBe(desc.digest);
    seen.length = 0;
    expect(await uploadBlob(client(), ref, desc, new Blob([data]))).toBe("exists");
    expect(seen.map((s) => s.method)).toEqual(["GET", "HEAD"]);
  });

  test("a big blob: PATCH chunks with their byte ranges, then PUT; read back through the pull client", async () => {
    const data = randomBytes(10_000);
    const desc = { mediaType: "application/octet-stream", digest: sha256Of(data), size: data.length };
    const ref = parseReference(`${host()}/up/big:1`);
    seen.length = 0;
    const progress: number[] = [];
    expect(await uploadBlob(client(), ref, desc, new Blob([data]), { chunkSize: 4096, onProgress: (d) => progress.push(d) })).toBe("pushed");
    expect(seen.filter((s) => s.method === "PATCH").map((s) => s.range)).toEqual(["0-4095", "4096-8191", "8192-9999"]);
    expect(seen.at(-1)!.method).toBe("PUT");
    expect(progress).toEqual([4096, 8192, 10000, 10000]);
    const cs = new ContentStore(store);
    await client().fetchBlob(ref, desc, cs);
    expect(sha256Of(cs.read(desc.digest))).toBe(desc.digest);
  });

  test("a local copy of the wrong size is refused before anything is sent", async () => {
    const data = randomBytes(100);
    seen.length = 0;
    const err = await uploadBlob(client(), parseReference(`${host()}/up/bad:1`), { mediaType: "x", digest: sha256Of(data), size: 99 }, new Blob([data])).catch((e) => e);
    expect(err).toBeInstanceOf(HuskError);
    expect((err as HuskError).message).toMatch(/local copy has 100 bytes, the manifest says 99/);
    expect(seen).toEqual([]);
  });
});
