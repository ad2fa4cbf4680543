// A real Distribution registry (Debian's `docker-registry`) on 127.0.0.1 for tests, with
// its own config and storage in a temp dir, optionally behind htpasswd auth; plus a tiny
// push client (monolithic blob upload, manifest PUT) and image builders.
import { spawnSync } from "node:child_process";
import { sign as nodeSign } from "node:crypto";
import type { Subprocess } from "bun";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Of } from "../../src/image/content-store.ts";

export const MT = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
} as const;

/** Path of docker-registry, installing the Debian package if needed; null + reason if impossible. */
export function ensureDockerRegistry(): { bin: string } | { skip: string } {
  const which = () => spawnSync("sh", ["-c", "command -v docker-registry"], { encoding: "utf8" }).stdout.trim();
  let bin = which();
  if (!bin) {
    if (process.getuid?.() !== 0) return { skip: "docker-registry is not installed and installing it needs root" };
    const r = spawnSync("apt-get", ["install", "-y", "docker-registry"], { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    bin = which();
    if (!bin) return { skip: `docker-registry could not be installed (apt-get exit ${r.status}: ${(r.stderr || "").trim().split("\n").pop()})` };
  }
  return { bin };
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

export interface TestRegistry {
  /** host:port, as in image references. */
  host: string;
  url: string;
  root: string;
  storage: string;
  /** ms from spawn to the first answer of /v2/. */
  startMs: number;
  auth?: { username: string; password: string };
  proc: Subprocess;
  stop(): Promise<void>;
}

/** The registry's `auth: token:` settings (see startTokenServer). */
export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  rootcertbundle: string;
}

export async function startRegistry(opts: { bin: string; htpasswd?: { username: string; password: string }; token?: TokenAuthConfig }): Promise<TestRegistry> {
  const root = mkdtempSync(join(tmpdir(), "husk-registry-"));
  const storage = join(root, "storage");
  mkdirSync(storage);
  let authBlock = "";
  if (opts.htpasswd) {
    const hash = await Bun.password.hash(opts.htpasswd.password, { algorithm: "bcrypt", cost: 5 });
    writeFileSync(join(root, "htpasswd"), `${opts.htpasswd.username}:${hash}\n`);
    authBlock = `auth:\n  htpasswd:\n    realm: husk-test\n    path: ${join(root, "htpasswd")}\n`;
  }
  if (opts.token) {
    const t = opts.token;
    authBlock = `auth:\n  token:\n    realm: ${t.realm}\n    service: ${t.service}\n    issuer: ${t.issuer}\n    rootcertbundle: ${t.rootcertbundle}\n`;
  }
  let lastErr = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = freePort();
    const config = join(root, "config.yml");
    writeFileSync(
      config,
      `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
  secret: husk-test-secret
${authBlock}health:
  storagedriver:
    enabled: false
`,
    );
    const t0 = performance.now();
    const proc = Bun.spawn([opts.bin, "serve", config], { stdout: "ignore", stderr: Bun.file(join(root, "registry.log")) });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    let up = false;
    while (Date.now() < deadline && proc.exitCode === null) {
      try {
        const r = await fetch(`${url}/v2/`);
        await r.arrayBuffer();
        if (r.status === 200 || r.status === 401) {
          up = true;
          break;
        }
      } catch {
        /* not yet */
      }
      await Bun.sleep(10);
    }
    if (up) {
      const startMs = performance.now() - t0;
      return {
        host: `127.0.0.1:${port}`,
        url,
        root,
        storage,
        startMs,
        ...(opts.htpasswd ? { auth: opts.htpasswd } : {}),
        proc,
        async stop() {
          proc.kill("SIGTERM");
          const killer = setTimeout(() => proc.kill("SIGKILL"), 3000);
          await proc.exited;
          clearTimeout(killer);
          rmSync(root, { recursive: true, force: true });
        },
      };
    }
    proc.kill("SIGKILL");
    await proc.exited;
    try {
      lastErr = readFileSync(join(root, "registry.log"), "utf8").trim().split("\n").slice(-3).join(" | ");
    } catch {
      lastErr = "";
    }
  }
  rmSync(root, { recursive: true, force: true });
  throw new Error(`docker-registry did not start: ${lastErr}`);
}

function authHeaders(auth?: { username: string; password: string }): Record<string, string> {
  return auth ? { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}` } : {};
}

/** Monolithic upload: POST /blobs/uploads/, then PUT <location>?digest=. Returns the digest. */
export async function pushBlob(reg: Pick<TestRegistry, "url" | "auth">, repo: string, data: Uint8Array): Promise<string> {
  const digest = sha256Of(data);
  const post = await fetch(`${reg.url}/v2/${repo}/blobs/uploads/`, { method: "POST", headers: authHeaders(reg.auth) });
  await post.arrayBuffer();
  if (post.status !== 202) throw new Error(`push ${repo} blob: POST ${post.status}`);
  const loc = new URL(post.headers.get("location")!, reg.url);
  loc.searchParams.set("digest", digest);
  const put = await fetch(loc, {
    method: "PUT",
    headers: { ...authHeaders(reg.auth), "Content-Type": "application/octet-stream", "Content-Length": String(data.length) },
    body: data,
  });
  const text = await put.text();
  if (put.status !== 201) throw new Error(`push ${repo} blob ${digest}: PUT ${put.status} ${text}`);
  return digest;
}

export async function pushManifest(reg: Pick<TestRegistry, "url" | "auth">, repo: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
  const put = await fetch(`${reg.url}/v2/${repo}/manifests/${reference}`, {
    method: "PUT",
    headers: { ...authHeaders(reg.auth), "Content-Type": mediaType },
    body: bytes,
  });
  const text = await put.text();
  if (put.status !== 201) throw new Error(`push ${repo} manifest ${reference}: PUT ${put.status} ${text}`);
  return sha256Of(bytes);
}

/** A gzipped tar of `files` (path -> content), made with the tar command. */
export function makeLayer(files: Record<string, string>): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "husk-layer-"));
  try {
    mkdirSync(join(dir, "root"));
    for (const [p, content] of Object.entries(files)) {
      const full = join(dir, "root", p);
      mkdirSync(join(full, ".."), { recursive: true });
      writeFileSync(full, content);
    }
    const r = spawnSync("tar", ["-czf", join(dir, "layer.tar.gz"), "--owner=0", "--group=0", "--numeric-owner", "-C", join(dir, "root"), "."]);
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    return new Uint8Array(readFileSync(join(dir, "layer.tar.gz")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface BuiltImage {
  config: Uint8Array;
  layers: Uint8Array[];
  manifest: Uint8Array;
  manifestDigest: string;
  blobs: string[]; // config + layer digests
}

export function buildImage(opts: { layers: Uint8Array[]; architecture?: string; variant?: string; mediaType?: "oci" | "docker" }): BuiltImage {
  const docker = opts.mediaType === "docker";
  const diffIds = opts.layers.map((l) => sha256Of(Bun.gunzipSync(new Uint8Array(l))));
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: opts.architecture ?? "amd64",
      ...(opts.variant ? { variant: opts.variant } : {}),
      os: "linux",
      config: { Cmd: ["/bin/sh"], Env: ["PATH=/usr/bin:/bin"] },
      rootfs: { type: "layers", diff_ids: diffIds },
    }),
  );
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: docker ? MT.dockerManifest : MT.ociManifest,
      config: { mediaType: docker ? "application/vnd.docker.container.image.v1+json" : MT.ociConfig, digest: sha256Of(config), size: config.length },
      layers: opts.layers.map((l) => ({
        mediaType: docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : MT.ociLayerGzip,
        digest: sha256Of(l),
        size: l.length,
      })),
    }),
  );
  return { config, layers: opts.layers, manifest, manifestDigest: sha256Of(manifest), blobs: [sha256Of(config), ...opts.layers.map((l) => sha256Of(l))] };
}

/** Push config + layers + manifest; returns the manifest digest. */
export async function pushImage(reg: Pick<TestRegistry, "url" | "auth">, repo: string, tag: string | undefined, img: BuiltImage): Promise<string> {
  await pushBlob(reg, repo, img.config);
  for (const l of img.layers) await pushBlob(reg, repo, l);
  const mt = JSON.parse(new TextDecoder().decode(img.manifest)).mediaType as string;
  return await pushManifest(reg, repo, tag ?? img.manifestDigest, img.manifest, mt);
}

export function buildIndex(entries: { image: BuiltImage; architecture: string; variant?: string }[], docker = false): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: docker ? MT.dockerList : MT.ociIndex,
      manifests: entries.map((e) => ({
        mediaType: docker ? MT.dockerManifest : MT.ociManifest,
        digest: e.image.manifestDigest,
        size: e.image.manifest.length,
        platform: { os: "linux", architecture: e.architecture, ...(e.variant ? { variant: e.variant } : {}) },
      })),
    }),
  );
}

/** Path of a blob's data file in the registry's filesystem storage. */
export function registryBlobPath(reg: TestRegistry, digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(reg.storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
}

export interface FakeRegistryOptions {
  /** manifests by tag or digest */
  manifests?: Map<string, { bytes: Uint8Array; mediaType: string; digestHeader?: string }>;
  blobs?: Map<string, Uint8Array>;
  /** Return a Response to answer instead (auth checks, faults), or undefined to go on. */
  intercept?: (req: Request, url: URL) => Response | undefined | Promise<Response | undefined>;
}

/** A minimal pull-only registry on 127.0.0.1 (Bun.serve), for faults the real one won't make. */
export function fakeRegistry(opts: FakeRegistryOptions) {
  const requests: { method: string; path: string; range: string | null; auth: string | null }[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      requests.push({ method: req.method, path: url.pathname, range: req.headers.get("range"), auth: req.headers.get("authorization") });
      const hit = await opts.intercept?.(req, url);
      if (hit) return hit;
      if (url.pathname === "/v2/" || url.pathname === "/v2") return Response.json({});
      const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
      const notFound = (code: string) => Response.json({ errors: [{ code, message: `${code.toLowerCase().replace("_", " ")}`, detail: null }] }, { status: 404 });
      if (!m) return notFound("NAME_UNKNOWN");
      if (m[2] === "manifests") {
        const e = opts.manifests?.get(m[3]!);
        if (!e) return notFound("MANIFEST_UNKNOWN");
        return new Response(e.bytes, { headers: { "Content-Type": e.mediaType, "Docker-Content-Digest": e.digestHeader ?? sha256Of(e.bytes) } });
      }
      const b = opts.blobs?.get(m[3]!);
      if (!b) return notFound("BLOB_UNKNOWN");
      const range = /^bytes=(\d+)-$/.exec(req.headers.get("range") ?? "");
      if (range) {
        const from = Number(range[1]);
        return new Response(b.slice(from), { status: 206, headers: { "Content-Range": `bytes ${from}-${b.length - 1}/${b.length}` } });
      }
      return new Response(b, { headers: { "Content-Type": "application/octet-stream", "Docker-Content-Digest": m[3]! } });
    },
  });
  return { host: `127.0.0.1:${server.port}`, url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) };
}

export interface TokenServer {
  config: TokenAuthConfig;
  /** Every token request: the scopes asked for and who asked (undefined: anonymous). */
  requests: { scopes: string[]; account?: string; granted: boolean }[];
  stop(): void;
}

const b64url = (data: Uint8Array | string) => Buffer.from(data).toString("base64url");

/**
 * A token service of our own for the registry's `auth: token:` mode: it checks Basic
 * credentials against `users`, and grants a known user every action asked for and an
 * anonymous caller none. Tokens are JWTs signed RS256 with a key and self-signed
 * certificate made here with openssl; the certificate rides in the `x5c` header and is the
 * registry's root bundle, so the registry trusts exactly this server.
 */
export function startTokenServer(opts: { users: Record<string, string>; dir: string }): TokenServer {
  const key = join(opts.dir, "token-key.pem");
  const cert = join(opts.dir, "token-cert.pem");
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=husk-test-token"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  const keyPem = readFileSync(key, "utf8");
  const certDer = readFileSync(cert, "utf8").replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const service = "husk-test-registry";
  const issuer = "husk-test-token-service";
  const requests: TokenServer["requests"] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      if (url.pathname !== "/token") return new Response("not found", { status: 404 });
      const scopes = url.searchParams.getAll("scope");
      let account: string | undefined;
      const auth = req.headers.get("authorization");
      if (auth) {
        const plain = Buffer.from(auth.replace(/^Basic /i, ""), "base64").toString();
        const colon = plain.indexOf(":");
        const user = plain.slice(0, colon);
        if (colon < 0 || opts.users[user] !== plain.slice(colon + 1)) {
          requests.push({ scopes, account: user, granted: false });
          return Response.json({ details: "incorrect username or password" }, { status: 401 });
        }
        account = user;
      }
      requests.push({ scopes, ...(account ? { account } : {}), granted: true });
      const access = account
        ? scopes.map((s) => {
            const [type, ...rest] = s.split(":");
            const actions = rest.pop()!.split(",");
            return { type, name: rest.join(":"), actions };
          })
        : [];
      const now = Math.floor(Date.now() / 1000);
      const header = b64url(JSON.stringify({ typ: "JWT", alg: "RS256", x5c: [certDer] }));
      const claims = b64url(JSON.stringify({ iss: issuer, sub: account ?? "", aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: crypto.randomUUID(), access }));
      const signature = b64url(nodeSign("sha256", Buffer.from(`${header}.${claims}`), keyPem));
      const token = `${header}.${claims}.${signature}`;
      return Response.json({ token, access_token: token, expires_in: 300, issued_at: new Date(now * 1000).toISOString() });
    },
  });
  return {
    config: { realm: `http://127.0.0.1:${server.port}/token`, service, issuer, rootcertbundle: cert },
    requests,
    stop: () => server.stop(true),
  };
}
