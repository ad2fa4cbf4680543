// The distribution client against a real Distribution registry (Debian docker-registry) on
// 127.0.0.1, plus Bun.serve / raw-socket fakes for faults a real registry won't produce
// (truncated streams, wrong content, bearer-token auth).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContentStore, sha256Of } from "../../src/image/content-store.ts";
import { RegistryClient } from "../../src/image/registry/client.ts";
import type { PullProgress } from "../../src/image/registry/client.ts";
import { hostPlatform, parsePlatform } from "../../src/image/registry/platform.ts";
import { HuskError } from "../../src/runtime/errors.ts";
import {
  MT,
  buildImage,
  buildIndex,
  ensureDockerRegistry,
  fakeRegistry,
  makeLayer,
  pushImage,
  pushManifest,
  registryBlobPath,
  startRegistry,
} from "../helpers/registry.ts";
import type { TestRegistry } from "../helpers/registry.ts";

const found = ensureDockerRegistry();
const skipReason = "skip" in found ? found.skip : undefined;
if (skipReason) console.warn(`registry-pull: real-registry tests skipped: ${skipReason}`);

const tmpRoots: string[] = [];
function newStore(): ContentStore {
  const dir = mkdtempSync(join(tmpdir(), "husk-store-"));
  tmpRoots.push(dir);
  return new ContentStore(dir);
}
function blobsIn(store: ContentStore): string[] {
  const dir = join(store.root, "blobs/sha256");
  return existsSync(dir) ? readdirSync(dir) : [];
}
function partialsIn(store: ContentStore): string[] {
  const dir = join(store.root, "ingest");
  return existsSync(dir) ? readdirSync(dir) : [];
}
function expectStored(store: ContentStore, digest: string) {
  expect(store.has(digest)).toBe(true);
  expect(sha256Of(store.read(digest))).toBe(digest);
}
async function rejection(p: Promise<unknown>): Promise<HuskError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HuskError) return e;
    throw e;
  }
  throw new Error("expected a rejection");
}

afterAll(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

const hostArch = hostPlatform().architecture;
const otherArch = hostArch === "amd64" ? { architecture: "arm64", variant: "v8" } : { architecture: "amd64" as const, variant: undefined };

describe.skipIf(!!skipReason)("real registry (docker-registry)", () => {
  let reg: TestRegistry;
  let client: RegistryClient;
  const layerA = makeLayer({ "etc/hello": "hello from layer A\n", "bin/tool": "#!/bin/sh\necho tool\n" });
  const layerB = makeLayer({ "etc/world": "world from layer B\n" });
  const img = buildImage({ layers: [layerA, layerB] });

  beforeAll(async () => {
    reg = await startRegistry({ bin: (found as { bin: string }).bin });
    console.log(`docker-registry started in ${reg.startMs.toFixed(0)} ms on ${reg.host}`);
    client = new RegistryClient({ insecure: [reg.host] });
    await pushImage(reg, "team/app", "latest", img);
  });
  afterAll(async () => {
    await reg?.stop();
  });

  test("ping learns that the registry needs no auth", async () => {
    expect((await client.ping(reg.host)).scheme).toBe("none");
  });

  test("pull by tag stores manifest, config and both layers, with progress", async () => {
    const store = newStore();
    const events: PullProgress[] = [];
    const res = await client.pull(`${reg.host}/team/app:latest`, store, { onProgress: (e) => events.push(e) });
    expect(res.manifestDigest).toBe(img.manifestDigest);
    expect(res.manifest.layers.map((l) => l.digest)).toEqual([sha256Of(layerA), sha256Of(layerB)]);
    expect((res.config.rootfs as { diff_ids: string[] }).diff_ids).toHaveLength(2);
    for (const d of [img.manifestDigest, ...img.blobs]) expectStored(store, d);
    expect(partialsIn(store)).toEqual([]);
    for (const l of [layerA, layerB]) {
      const done = events.find((e) => e.kind === "layer" && e.digest === sha256Of(l) && e.status === "done");
      expect(done).toMatchObject({ done: l.length, total: l.length });
    }
  });

  test("pull by digest (docker schema 2 media types)", async () => {
    const dimg = buildImage({ layers: [layerA, layerB], mediaType: "docker" });
    const digest = await pushImage(reg, "team/dock", undefined, dimg);
    const store = newStore();
    const res = await client.pull(`${reg.host}/team/dock@${digest}`, store, { concurrency: 1 });
    expect(res.manifestDigest).toBe(digest);
    for (const d of [digest, ...dimg.blobs]) expectStored(store, d);
  });

  test("a missing tag is one line naming registry, repository, tag and the registry's error", async () => {
    const err = await rejection(client.pull(`${reg.host}/team/app:nope`, newStore()));
    expect(err.message).toBe(`${reg.host}/team/app: manifest nope: 404 MANIFEST_UNKNOWN manifest unknown`);
    expect(err.hint).toContain("tag");
  });

  test("multi-arch index: the host's platform by default, --platform picks the other", async () => {
    const hostImg = buildImage({ layers: [makeLayer({ "arch": `${hostArch}\n` })], architecture: hostArch, ...(hostArch === "arm64" ? { variant: "v8" } : {}) });
    const otherImg = buildImage({ layers: [makeLayer({ "arch": `${otherArch.architecture}\n` })], ...otherArch });
    await pushImage(reg, "team/multi", undefined, hostImg);
    await pushImage(reg, "team/multi", undefined, otherImg);
    const entries = [
      { image: hostImg, architecture: hostArch, ...(hostArch === "arm64" ? { variant: "v8" } : {}) },
      { image: otherImg, ...otherArch },
    ];
    const index = buildIndex(hostArch === "amd64" ? entries : entries.reverse());
    const indexDigest = await pushManifest(reg, "team/multi", "latest", index, MT.ociIndex);

    const s1 = newStore();
    const r1 = await client.pull(`${reg.host}/team/multi`, s1);
    expect(r1.manifestDigest).toBe(hostImg.manifestDigest);
    expect(r1.indexDigest).toBe(indexDigest);
    for (const d of [indexDigest, ...hostImg.blobs]) expectStored(s1, d);
    expect(s1.has(otherImg.blobs[1]!)).toBe(false);

    const flag = otherArch.architecture === "arm64" ? "linux/arm64/v8" : "linux/amd64";
    const s2 = newStore();
    const r2 = await client.pull(`${reg.host}/team/multi:latest`, s2, { platform: flag });
    expect(r2.manifestDigest).toBe(otherImg.manifestDigest);
    for (const d of otherImg.blobs) expectStored(s2, d);

    const err = await rejection(client.getManifest(`${reg.host}/team/multi`, "linux/s390x"));
    expect(err.message).toContain("no manifest for linux/s390x");
    expect(err.message).toContain("linux/amd64");
    expect(err.message).toContain("linux/arm64/v8");
    expect(err.hint).toContain("--platform");
  });

  test("a manifest whose content does not match its digest: error, nothing stored", async () => {
    const bad = buildImage({ layers: [makeLayer({ "x": "manifest corruption\n" })] });
    const digest = await pushImage(reg, "team/badmanifest", "v1", bad);
    // Corrupt the stored manifest bytes in place (same length): the registry serves them as is.
    const path = registryBlobPath(reg, digest);
    const text = readFileSync(path, "utf8");
    const corrupt = text.replace(/("digest":"sha256:)([0-9a-f])/, (_m, pre: string, c: string) => pre + (c === "0" ? "1" : "0"));
    expect(corrupt.length).toBe(text.length);
    writeFileSync(path, corrupt);
    for (const ref of [`${reg.host}/team/badmanifest@${digest}`, `${reg.host}/team/badmanifest:v1`]) {
      const store = newStore();
      const err = await rejection(client.pull(ref, store));
      expect(err.message).toContain("team/badmanifest");
      expect(err.message).toContain(digest);
      expect(blobsIn(store)).toEqual([]);
      expect(partialsIn(store)).toEqual([]);
    }
  });

  test("a layer served with wrong content: digest error, the blob is not stored", async () => {
    const layer = makeLayer({ "y": "blob corruption ".repeat(100) });
    const bad = buildImage({ layers: [layer] });
    await pushImage(reg, "team/badblob", "v1", bad);
    const path = registryBlobPath(reg, sha256Of(layer));
    const bytes = new Uint8Array(readFileSync(path));
    bytes[bytes.length - 10]! ^= 0xff; // same size, other content
    writeFileSync(path, bytes);

    const store = newStore();
    const err = await rejection(client.fetchBlob(`${reg.host}/team/badblob`, JSON.parse(new TextDecoder().decode(bad.manifest)).layers[0], store));
    expect(err.message).toContain(`blob ${sha256Of(layer)}: content has digest`);
    expect(blobsIn(store)).toEqual([]);
    expect(partialsIn(store)).toEqual([]);

    const store2 = newStore();
    await rejection(client.pull(`${reg.host}/team/badblob:v1`, store2));
    expect(store2.has(sha256Of(layer))).toBe(false);
    expect(store2.has(bad.manifestDigest)).toBe(false);
    expect(partialsIn(store2)).toEqual([]);
  });
});

describe.skipIf(!!skipReason)("real registry with htpasswd auth", () => {
  let reg: TestRegistry;
  const auth = { username: "husk", password: "s3cret-pass" };
  const img = buildImage({ layers: [makeLayer({ "auth": "ok\n" })] });

  beforeAll(async () => {
    reg = await startRegistry({ bin: (found as { bin: string }).bin, htpasswd: auth });
    console.log(`docker-registry (htpasswd) started in ${reg.startMs.toFixed(0)} ms on ${reg.host}`);
    await pushImage(reg, "private/app", "latest", img);
  });
  afterAll(async () => {
    await reg?.stop();
  });

  test("anonymous pull is refused with a clear error", async () => {
    const client = new RegistryClient({ insecure: [reg.host] });
    expect((await client.ping(reg.host)).scheme).toBe("basic");
    const store = newStore();
    const err = await rejection(client.pull(`${reg.host}/private/app`, store));
    expect(err.message).toStartWith(`${reg.host}/private/app: manifest latest: 401 UNAUTHORIZED`);
    expect(err.hint).toContain("requires authentication");
    expect(blobsIn(store)).toEqual([]);
  });

  test("a wrong password is refused", async () => {
    const client = new RegistryClient({ insecure: [reg.host], credentials: () => ({ username: "husk", password: "wrong" }) });
    const err = await rejection(client.pull(`${reg.host}/private/app`, newStore()));
    expect(err.message).toContain("401");
    expect(err.hint).toContain("refused the credentials of husk");
  });

  test("pull with credentials works", async () => {
    const client = new RegistryClient({ insecure: [reg.host], credentials: (r) => (r === reg.host ? auth : undefined) });
    const store = newStore();
    const res = await client.pull(`${reg.host}/private/app`, store);
    expect(res.manifestDigest).toBe(img.manifestDigest);
    for (const d of [img.manifestDigest, ...img.blobs]) expectStored(store, d);
  });
});

describe("fakes: wrong content, resume, token auth", () => {
  const layer = makeLayer({ "big": Buffer.from(crypto.getRandomValues(new Uint8Array(48 * 1024))).toString("base64") });
  const img = buildImage({ layers: [layer] });
  const layerDesc = { mediaType: MT.ociLayerGzip, digest: sha256Of(layer), size: layer.length };

  test("a manifest that does not match the digest in the reference: error, nothing stored", async () => {
    const other = buildImage({ layers: [makeLayer({ "o": "other" })] });
    const fake = fakeRegistry({ manifests: new Map([[img.manifestDigest, { bytes: other.manifest, mediaType: MT.ociManifest, digestHeader: img.manifestDigest }]]) });
    try {
      const store = newStore();
      const err = await rejection(new RegistryClient({ insecure: [fake.host] }).pull(`${fake.host}/team/app@${img.manifestDigest}`, store));
      expect(err.message).toContain(`${fake.host}/team/app: manifest ${img.manifestDigest}: content has digest ${other.manifestDigest}`);
      expect(blobsIn(store)).toEqual([]);
    } finally {
      fake.stop();
    }
  });

  test("a blob with wrong content: digest error, nothing under blobs/", async () => {
    const wrong = new Uint8Array(layer);
    wrong[100]! ^= 1;
    const fake = fakeRegistry({ blobs: new Map([[layerDesc.digest, wrong]]) });
    try {
      const store = newStore();
      const err = await rejection(new RegistryClient({ insecure: [fake.host] }).fetchBlob(`${fake.host}/team/app`, layerDesc, store));
      expect(err.message).toStartWith(`${fake.host}/team/app: blob ${layerDesc.digest}: content has digest`);
      expect(blobsIn(store)).toEqual([]);
      expect(partialsIn(store)).toEqual([]);
    } finally {
      fake.stop();
    }
  });

  test("resume: the connection drops half way, the retry asks for the rest with Range", async () => {
    const ranges: (string | null)[] = [];
    let served = 0;
    // Raw HTTP so the first answer can promise the whole blob and then cut the connection.
    const server = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data(sock, data) {
          const head = data.toString();
          const path = head.split(" ")[1] ?? "";
          const range = /\r\nrange: bytes=(\d+)-\r\n/i.exec(head);
          if (path === "/v2/") {
            sock.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            sock.end();
            return;
          }
          ranges.push(range ? `bytes=${range[1]}-` : null);
          if (!range) {
            served++;
            sock.write(`HTTP/1.1 200 OK\r\nContent-Length: ${layer.length}\r\nConnection: close\r\n\r\n`);
            sock.write(layer.subarray(0, Math.floor(layer.length / 2)));
            sock.flush();
            setTimeout(() => sock.end(), 30);
            return;
          }
          const from = Number(range[1]);
          sock.write(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${layer.length - from}\r\nContent-Range: bytes ${from}-${layer.length - 1}/${layer.length}\r\nConnection: close\r\n\r\n`);
          sock.write(layer.subarray(from));
          sock.end();
        },
      },
    });
    try {
      const host = `127.0.0.1:${server.port}`;
      const client = new RegistryClient({ insecure: [host] });
      // Without retries the first attempt fails and leaves a partial file...
      const store = newStore();
      const err = await rejection(client.fetchBlob(`${host}/team/app`, layerDesc, store, { retries: 0 }));
      expect(err.message).toContain("download interrupted");
      expect(store.resumeOffset(layerDesc.digest)).toBeGreaterThan(0);
      // ...which the next call resumes.
      const progress: string[] = [];
      await client.fetchBlob(`${host}/team/app`, layerDesc, store, { onProgress: (_d, _t, s) => progress.push(s) });
      expectStored(store, layerDesc.digest);
      expect(ranges).toEqual([null, `bytes=${Math.floor(layer.length / 2)}-`]);
      expect(progress).toContain("resuming");
      // With the default retries, one call survives the drop.
      ranges.length = 0;
      const store2 = newStore();
      await client.fetchBlob(`${host}/team/app`, layerDesc, store2);
      expectStored(store2, layerDesc.digest);
      expect(ranges[0]).toBeNull();
      expect(ranges[1]).toBe(`bytes=${Math.floor(layer.length / 2)}-`);
      expect(served).toBe(2);
    } finally {
      server.stop(true);
    }
  });

  test("resume against a server that ignores Range (200) restarts the blob", async () => {
    expect(layer.length).toBeGreaterThan(10_000);
    const fake = fakeRegistry({
      blobs: new Map([[layerDesc.digest, layer]]),
      intercept: (_req, url) => (url.pathname.includes("/blobs/") ? new Response(layer) : undefined),
    });
    try {
      const store = newStore();
      mkdirSync(join(store.root, "ingest"), { recursive: true });
      writeFileSync(store.partialPath(layerDesc.digest), new Uint8Array(1000).fill(7)); // wrong bytes
      await new RegistryClient({ insecure: [fake.host] }).fetchBlob(`${fake.host}/team/app`, layerDesc, store);
      expectStored(store, layerDesc.digest);
      expect(fake.requests.find((r) => r.path.includes("/blobs/"))?.range).toBe("bytes=1000-");
    } finally {
      fake.stop();
    }
  });

  test("a resumed blob that fails verification is fetched again from the start", async () => {
    const fake = fakeRegistry({ blobs: new Map([[layerDesc.digest, layer]]) });
    try {
      const store = newStore();
      mkdirSync(join(store.root, "ingest"), { recursive: true });
      writeFileSync(store.partialPath(layerDesc.digest), new Uint8Array(1000).fill(7)); // wrong bytes
      await new RegistryClient({ insecure: [fake.host] }).fetchBlob(`${fake.host}/team/app`, layerDesc, store);
      expectStored(store, layerDesc.digest);
      expect(fake.requests.filter((r) => r.path.includes("/blobs/")).map((r) => r.range)).toEqual(["bytes=1000-", null]);
    } finally {
      fake.stop();
    }
  });

  test("bearer token auth: anonymous and with credentials, cached per scope, one retry on 401", async () => {
    const creds = { username: "alice", password: "pw" };
    const tokenCalls: { scope: string | null; service: string | null; auth: string | null }[] = [];
    const valid = new Set<string>();
    let requireLogin = false;
    const tokenServer = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const u = new URL(req.url);
        const auth = req.headers.get("authorization");
        tokenCalls.push({ scope: u.searchParams.get("scope"), service: u.searchParams.get("service"), auth });
        const expected = `Basic ${Buffer.from("alice:pw").toString("base64")}`;
        if (auth && auth !== expected) return new Response("bad credentials", { status: 401 });
        if (requireLogin && !auth) return new Response("login required", { status: 401 });
        const token = `tok-${tokenCalls.length}`;
        valid.add(token);
        return Response.json({ token, expires_in: 300 });
      },
    });
    let revokeOnce = false;
    const fake = fakeRegistry({
      manifests: new Map([["latest", { bytes: img.manifest, mediaType: MT.ociManifest }]]),
      blobs: new Map([[sha256Of(img.config), img.config], [layerDesc.digest, layer]]),
      intercept: (req, url) => {
        const m = /^\/v2\/(.+)\/(manifests|blobs)\//.exec(url.pathname);
        const scope = m ? `repository:${m[1]}:pull` : undefined;
        const challenge = `Bearer realm="http://127.0.0.1:${tokenServer.port}/token",service="fake-registry"${scope ? `,scope="${scope}"` : ""}`;
        const token = req.headers.get("authorization")?.replace(/^Bearer /, "");
        if (revokeOnce && token) {
          revokeOnce = false;
          valid.delete(token);
        }
        if (!token || !valid.has(token)) {
          return Response.json({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }, { status: 401, headers: { "WWW-Authenticate": challenge } });
        }
        return undefined;
      },
    });
    try {
      const anon = new RegistryClient({ insecure: [fake.host] });
      const ch = await anon.ping(fake.host);
      expect(ch.scheme).toBe("bearer");
      expect(ch.params.service).toBe("fake-registry");
      const s1 = newStore();
      await anon.pull(`${fake.host}/team/app`, s1);
      for (const d of [img.manifestDigest, ...img.blobs]) expectStored(s1, d);
      // One token for the repository scope, reused by the manifest and both blobs.
      expect(tokenCalls.map((c) => c.scope)).toEqual(["repository:team/app:pull"]);
      expect(tokenCalls[0]!.service).toBe("fake-registry");
      expect(tokenCalls[0]!.auth).toBeNull();

      // A token the registry stops accepting: one 401, a fresh token, one retry.
      revokeOnce = true;
      await anon.getManifest(`${fake.host}/team/app`);
      expect(tokenCalls).toHaveLength(2);

      // With credentials: basic auth to the realm.
      requireLogin = true;
      const err = await rejection(new RegistryClient({ insecure: [fake.host] }).pull(`${fake.host}/team/app`, newStore()));
      expect(err.message).toContain("token for repository:team/app:pull: 401");
      expect(err.hint).toContain("needs credentials");
      const withCreds = new RegistryClient({ insecure: [fake.host], credentials: () => creds });
      const s2 = newStore();
      await withCreds.pull(`${fake.host}/team/app`, s2);
      for (const d of [img.manifestDigest, ...img.blobs]) expectStored(s2, d);
      expect(tokenCalls.at(-1)!.auth).toBe(`Basic ${Buffer.from("alice:pw").toString("base64")}`);

      const wrong = new RegistryClient({ insecure: [fake.host], credentials: () => ({ username: "alice", password: "nope" }) });
      const err2 = await rejection(wrong.pull(`${fake.host}/team/app`, newStore()));
      expect(err2.hint).toContain("refused");
    } finally {
      fake.stop();
      tokenServer.stop(true);
    }
  });

  test("platform strings", () => {
    expect(parsePlatform("linux/arm64")).toEqual({ os: "linux", architecture: "arm64", variant: "v8" });
    expect(parsePlatform("linux/arm/7")).toEqual({ os: "linux", architecture: "arm", variant: "v7" });
    expect(parsePlatform("linux/x86_64")).toEqual({ os: "linux", architecture: "amd64" });
    expect(() => parsePlatform("linux")).toThrow(HuskError);
  });

  test("connection refused names the registry and hints at insecure registries", async () => {
    const port = (await import("../helpers/registry.ts")).freePort();
    const err = await rejection(new RegistryClient().pull(`127.0.0.1:${port}/team/app`, newStore()));
    expect(err.message).toContain(`127.0.0.1:${port}: ping: cannot reach https://127.0.0.1:${port}`);
    expect(err.hint).toContain("insecure");
  });
});
