// The pull side of the OCI distribution API: ping, auth (Basic, bearer tokens), manifests
// and indexes with platform selection, and blobs streamed into the content store with
// digest verification and Range resume. Nothing unverified is ever stored.
import { HuskError } from "../../runtime/errors.ts";
import type { ContentStore, IngestObserver } from "../content-store.ts";
import { sha256Of } from "../content-store.ts";
import { parseReference, registryEndpoint } from "../reference.ts";
import type { ImageReference } from "../reference.ts";
import { TokenCache, basicHeader, fetchToken, parseChallenge } from "./auth.ts";
import type { Challenge, CredentialsFn } from "./auth.ts";
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, parseManifest } from "./manifest.ts";
import type { Descriptor, ImageIndex, ImageManifest } from "./manifest.ts";
import { formatPlatform, hostPlatform, parsePlatform, platformMatches } from "./platform.ts";
import type { Platform } from "./platform.ts";
import { forEachLimited } from "../../util/pool.ts";

export interface RegistryClientOptions {
  /** Registries (host[:port] as in references) reached over plain http. */
  insecure?: string[];
  credentials?: CredentialsFn;
  fetch?: typeof fetch;
}

export interface ManifestResult {
  /** Digest of the image manifest (after platform selection). */
  digest: string;
  mediaType: string;
  manifest: ImageManifest;
  bytes: Uint8Array;
  /** Present when the reference named an index / manifest list. */
  index?: { digest: string; mediaType: string; index: ImageIndex; bytes: Uint8Array };
  platform?: Platform;
}

export type PullProgress =
  | { kind: "manifest"; digest: string }
  | { kind: "layer"; digest: string; status: "waiting" | "downloading" | "resuming" | "done" | "exists"; done: number; total: number }
  | { kind: "config"; digest: string };

export interface PullOptions {
  platform?: string | Platform;
  onProgress?: (ev: PullProgress) => void;
  concurrency?: number;
}

export interface PullResult {
  manifestDigest: string;
  indexDigest?: string;
  manifest: ImageManifest;
  config: Record<string, unknown>;
}

/** The manifest (after platform selection) and the config, both verified and stored. */
export interface ResolvedImage {
  ref: ImageReference;
  manifest: ManifestResult;
  config: Record<string, unknown>;
}

export interface PullLayersOptions {
  onProgress?: (ev: PullProgress) => void;
  concurrency?: number;
  /** An observer for the download of `layer` into the store (to read it as it streams). */
  observe?: (layer: Descriptor) => IngestObserver | undefined;
  /** Called once per downloaded layer: verified and stored, or failed for good. */
  settled?: (layer: Descriptor, error?: unknown) => void;
  /** When it returns true, no further layer download is started. */
  stopped?: () => boolean;
}

export interface FetchBlobOptions {
  onProgress?: (done: number, total: number, status: "downloading" | "resuming") => void;
  /** Sees the partial file opened and written (see ContentStore.ingest). */
  observer?: IngestObserver;
  /** Attempts after a broken stream (default 3); each resumes with Range. */
  retries?: number;
}

type Ref = string | ImageReference;

export interface RequestExtra {
  method?: string;
  body?: Uint8Array | Blob;
  scope?: string;
  url?: string;
}

function toRef(ref: Ref): ImageReference {
  return typeof ref === "string" ? parseReference(ref) : ref;
}

function repoName(r: ImageReference): string {
  return `${r.registry}/${r.repository}`;
}

const STATUS_HINTS: Record<number, string> = {
  401: "the registry needs credentials, or refused the ones given",
  403: "the credentials lack access to this repository",
  404: "check the repository name, tag or digest",
  429: "the registry is rate-limiting; wait and retry",
};

/** Read the registry's JSON error body: {"errors":[{"code","message","detail"}]}. */
async function errorDetail(res: Response): Promise<string> {
  let text = "";
  try {
    text = await res.text();
  } catch {
    return "";
  }
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string; detail?: unknown }[] };
    if (Array.isArray(body.errors) && body.errors.length) {
      return body.errors
        .map((e) => [e.code, e.message].filter(Boolean).join(" "))
        .filter(Boolean)
        .join("; ");
    }
  } catch {
    /* not JSON */
  }
  return text.trim().split("\n")[0]?.slice(0, 200) ?? "";
}

export async function httpError(res: Response, what: string): Promise<HuskError> {
  const detail = await errorDetail(res);
  const hint = STATUS_HINTS[res.status] ?? (res.status >= 500 ? "the registry failed; retry later" : undefined);
  return new HuskError(`${what}: ${res.status}${detail ? ` ${detail}` : res.statusText ? ` ${res.statusText}` : ""}`, hint);
}

/** An async iterable over a response body that reports bytes as they pass. */
async function* counted(body: ReadableStream<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value && value.length) {
        onBytes(value.length);
        yield value;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export class RegistryClient {
  private readonly insecure: Set<string>;
  private readonly credentials: CredentialsFn;
  private readonly fetchFn: typeof fetch;
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens = new TokenCache();
  private readonly pendingTokens = new Map<string, Promise<string>>();

  constructor(opts: RegistryClientOptions = {}) {
    this.insecure = new Set(opts.insecure ?? []);
    this.credentials = opts.credentials ?? (() => undefined);
    this.fetchFn = opts.fetch ?? fetch;
  }

  baseUrl(registry: string): string {
    const host = registryEndpoint(registry);
    return `${this.insecure.has(registry) || this.insecure.has(host) ? "http" : "https"}://${host}`;
  }

  private async send(registry: string, url: string, init: RequestInit, what: string): Promise<Response> {
    try {
      return await this.fetchFn(url, { ...init, redirect: "follow" });
    } catch (e) {
      const msg = (e as Error).message || String(e);
      const hint = this.insecure.has(registry)
        ? "is the registry running and reachable?"
        : `is the registry running? if it speaks plain http, list ${registry} as an insecure registry`;
      throw new HuskError(`${what}: cannot reach ${new URL(url).origin}: ${msg}`, hint);
    }
  }

  /** GET /v2/ and remember the auth challenge. Returns it. */
  async ping(registry: string): Promise<Challenge> {
    const res = await this.send(registry, `${this.baseUrl(registry)}/v2/`, { method: "GET" }, `${registry}: ping`);
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get("www-authenticate"));
      await res.body?.cancel().catch(() => {});
      this.challenges.set(registry, challenge);
      return challenge;
    }
    if (!res.ok) throw await httpError(res, `${registry}: /v2/`);
    await res.body?.cancel().catch(() => {});
    const challenge: Challenge = { scheme: "none", params: {} };
    this.challenges.set(registry, challenge);
    return challenge;
  }

  private scopeFor(ref: ImageReference): string {
    return `repository:${ref.repository}:pull`;
  }

  /** The Authorization header for a request in `scope`, or undefined for none. */
  private async authorization(registry: string, scope: string, challenge: Challenge, fresh: boolean): Promise<string | undefined> {
    const creds = this.credentials(registry);
    if (challenge.scheme === "basic") return creds ? basicHeader(creds) : undefined;
    if (challenge.scheme !== "bearer") return undefined;
    const tokenScope = challenge.params.scope || scope;
    const key = `${registry}|${creds?.username ?? ""}|${tokenScope}`;
    if (fresh) this.tokens.delete(key);
    const cached = this.tokens.get(key);
    if (cached) return `Bearer ${cached}`;
    // Parallel layer downloads share one token request per scope.
    let pending = this.pendingTokens.get(key);
    if (!pending) {
      const allowHttp = this.insecure.has(registry);
      pending = fetchToken(this.fetchFn, registry, challenge, tokenScope, creds, allowHttp)
        .then(({ token, expiresIn }) => {
          this.tokens.set(key, token, expiresIn);
          return token;
        })
        .finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    return `Bearer ${await pending}`;
  }

  /**
   * A request to the registry with auth; on 401 the challenge is re-read and it is retried
   * once. `extra` is for pushes: another method and body (it must be re-sendable), a wider
   * token scope, or an absolute URL (an upload's Location) instead of a repository path.
   */
  async request(ref: ImageReference, path: string, headers: Record<string, string>, what: string, extra: RequestExtra = {}): Promise<Response> {
    const registry = ref.registry;
    if (!this.challenges.has(registry)) await this.ping(registry);
    const url = extra.url ?? `${this.baseUrl(registry)}/v2/${ref.repository}/${path}`;
    const scope = extra.scope ?? this.scopeFor(ref);
    const init = { ...(extra.method ? { method: extra.method } : {}), ...(extra.body !== undefined ? { body: extra.body } : {}) };
    // The ping's challenge carries no scope; the repository's is ours.
    const ping = this.challenges.get(registry)!;
    const first: Challenge = ping.scheme === "bearer" ? { scheme: "bearer", params: { ...ping.params, scope } } : ping;
    const auth = await this.authorization(registry, scope, first, false);
    let res = await this.send(registry, url, { ...init, headers: { ...headers, ...(auth ? { Authorization: auth } : {}) } }, what);
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get("www-authenticate"));
    if (challenge.scheme === "none") return res;
    if (challenge.scheme === "basic" && !this.credentials(registry)) return res;
    if (challenge.scheme === "bearer" && !challenge.params.scope) challenge.params.scope = scope;
    await res.body?.cancel().catch(() => {});
    if (ping.scheme !== challenge.scheme) this.challenges.set(registry, { scheme: challenge.scheme, params: { ...challenge.params, scope: "" } });
    const retry = await this.authorization(registry, scope, challenge, true);
    res = await this.send(registry, url, { ...init, headers: { ...headers, ...(retry ? { Authorization: retry } : {}) } }, what);
    return res;
  }

  async authError(res: Response, ref: ImageReference, what: string): Promise<HuskError> {
    const err = await httpError(res, what);
    if (res.status === 401) {
      const creds = this.credentials(ref.registry);
      return new HuskError(
        err.message,
        creds ? `the registry refused the credentials of ${creds.username} for ${ref.registry}` : `${ref.registry} requires authentication; give credentials for it`,
      );
    }
    return err;
  }

  /** Fetch manifest bytes by tag or digest, verified against the headers and `expect`. */
  private async fetchManifestBytes(ref: ImageReference, reference: string, expect?: { digest: string; size?: number }) {
    const what = `${repoName(ref)}: manifest ${reference}`;
    const res = await this.request(ref, `manifests/${reference}`, { Accept: MANIFEST_ACCEPT }, what);
    if (!res.ok) throw await this.authError(res, ref, what);
    const len = Number(res.headers.get("content-length") ?? "0");
    if (len > MAX_MANIFEST_BYTES) {
      await res.body?.cancel().catch(() => {});
      throw new HuskError(`${what}: ${len} bytes is too large for a manifest`, "the registry served something other than a manifest");
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > MAX_MANIFEST_BYTES) throw new HuskError(`${what}: ${bytes.length} bytes is too large for a manifest`);
    const digest = sha256Of(bytes);
    const header = res.headers.get("docker-content-digest");
    if (header && header.startsWith("sha256:") && header !== digest) {
      throw new HuskError(`${what}: content has digest ${digest}, the registry announced ${header}`, "the registry served corrupt data; nothing was stored");
    }
    if (expect && expect.digest !== digest) {
      throw new HuskError(`${what}: content has digest ${digest}, expected ${expect.digest}`, "the registry served a different manifest than the digest names; nothing was stored");
    }
    if (expect?.size !== undefined && expect.size !== bytes.length) {
      throw new HuskError(`${what}: ${bytes.length} bytes, the index announced ${expect.size}`, "the registry served corrupt data; nothing was stored");
    }
    const parsed = parseManifest(bytes, res.headers.get("content-type"), what);
    return { bytes, digest, ...parsed };
  }

  /**
   * GET the manifest for `ref`. For an index / manifest list, pick the manifest for
   * `platform` (default: the host's) and fetch it.
   */
  async getManifest(refIn: Ref, platformIn?: string | Platform): Promise<ManifestResult> {
    const ref = toRef(refIn);
    const reference = ref.digest ?? ref.tag ?? "latest";
    const expect = ref.digest ? { digest: ref.digest } : undefined;
    if (expect && !expect.digest.startsWith("sha256:")) {
      throw new HuskError(`${repoName(ref)}@${expect.digest}: only sha256 digests are supported`);
    }
    const top = await this.fetchManifestBytes(ref, reference, expect);
    if (top.kind === "manifest") {
      return { digest: top.digest, mediaType: top.mediaType, manifest: top.body as ImageManifest, bytes: top.bytes };
    }
    const index = top.body as ImageIndex;
    const want = platformIn === undefined ? hostPlatform() : typeof platformIn === "string" ? parsePlatform(platformIn) : platformIn;
    const candidates = index.manifests.filter((d) => d.platform && platformMatches(want, d.platform));
    // An exact variant match wins over an entry without a variant.
    const chosen = candidates.find((d) => d.platform?.variant === want.variant) ?? candidates[0];
    if (!chosen) {
      const available = index.manifests
        .filter((d) => d.platform && d.platform.os !== "unknown")
        .map((d) => formatPlatform(d.platform!))
        .join(", ");
      throw new HuskError(
        `${repoName(ref)}:${reference}: no manifest for ${formatPlatform(want)} in the index; available: ${available || "none"}`,
        "choose one of the available platforms with --platform os/arch[/variant]",
      );
    }
    const inner = await this.fetchManifestBytes(ref, chosen.digest, { digest: chosen.digest, size: chosen.size });
    if (inner.kind !== "manifest") throw new HuskError(`${repoName(ref)}@${chosen.digest}: an index entry names another index`, "nested indexes are not supported");
    return {
      digest: inner.digest,
      mediaType: inner.mediaType,
      manifest: inner.body as ImageManifest,
      bytes: inner.bytes,
      index: { digest: top.digest, mediaType: top.mediaType, index, bytes: top.bytes },
      platform: chosen.platform,
    };
  }

  /**
   * Stream a blob into the store, verified by size and digest. A partial download left in
   * the store is resumed with `Range`; a server that ignores Range (200) restarts it.
   */
  async fetchBlob(refIn: Ref, desc: Descriptor, store: ContentStore, opts: FetchBlobOptions = {}): Promise<string> {
    const ref = toRef(refIn);
    const digest = desc.digest;
    const what = `${repoName(ref)}: blob ${digest}`;
    if (store.has(digest)) return store.blobPath(digest);
    let attempts = (opts.retries ?? 3) + 1;
    for (;;) {
      attempts--;
      let offset = store.resumeOffset(digest);
      if (offset > desc.size) offset = 0; // ingest without resume truncates it
      const headers: Record<string, string> = {};
      if (offset > 0 && offset < desc.size) headers.Range = `bytes=${offset}-`;
      if (offset > 0 && offset === desc.size) {
        // Everything is there; only verification and the rename are left.
        return await store.ingest(digest, (async function* () {})(), { size: desc.size, resume: true, observer: opts.observer });
      }
      const res = await this.request(ref, `blobs/${digest}`, headers, what);
      let resume = false;
      if (res.status === 206 && headers.Range) {
        const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get("content-range") ?? "");
        if (!range || Number(range[1]) !== offset) {
          await res.body?.cancel().catch(() => {});
          throw new HuskError(`${what}: the registry answered Range ${headers.Range} with "${res.headers.get("content-range")}"`, "the registry's range support is broken");
        }
        resume = true;
      } else if (res.status === 416 && headers.Range) {
        // The partial file is not usable against this server: start over.
        await res.body?.cancel().catch(() => {});
        const restart = await this.request(ref, `blobs/${digest}`, {}, what);
        if (!restart.ok) throw await this.authError(restart, ref, what);
        return await this.ingestBody(repoName(ref), restart, desc, store, false, 0, opts);
      } else if (!res.ok) {
        throw await this.authError(res, ref, what);
      } else {
        offset = 0; // a 200 carries the whole blob
      }
      const clen = res.headers.get("content-length");
      if (clen !== null && Number(clen) !== desc.size - offset) {
        await res.body?.cancel().catch(() => {});
        throw new HuskError(`${what}: the registry sends ${Number(clen) + offset} bytes, the manifest announced ${desc.size}`, "the registry served corrupt data; nothing was stored");
      }
      try {
        return await this.ingestBody(repoName(ref), res, desc, store, resume, offset, opts);
      } catch (e) {
        // A broken stream keeps its partial file (the store drops it on verification errors).
        // A resumed blob that fails verification is fetched once more from the start.
        if (resume && e instanceof HuskError && attempts > 0 && store.resumeOffset(digest) === 0) continue;
        if (e instanceof HuskError || attempts <= 0) {
          if (e instanceof HuskError) throw e;
          throw new HuskError(`${what}: download interrupted: ${(e as Error).message}`, "retry the pull: it resumes where it stopped");
        }
      }
    }
  }

  private async ingestBody(repo: string, res: Response, desc: Descriptor, store: ContentStore, resume: boolean, offset: number, opts: FetchBlobOptions): Promise<string> {
    if (!res.body) throw new HuskError(`blob ${desc.digest}: empty response body`);
    let done = offset;
    const status = resume ? "resuming" : "downloading";
    opts.onProgress?.(done, desc.size, status);
    const chunks = counted(res.body, (n) => {
      done += n;
      opts.onProgress?.(done, desc.size, status);
    });
    try {
      return await store.ingest(desc.digest, chunks, { size: desc.size, resume, observer: opts.observer });
    } catch (e) {
      if (e instanceof HuskError && !e.message.startsWith(`${repo}:`)) throw new HuskError(`${repo}: ${e.message}`, e.hint);
      throw e;
    }
  }

  /** Pull an image: manifest, config, then layers in parallel. The manifest is stored last. */
  async pull(refIn: Ref, store: ContentStore, opts: PullOptions = {}): Promise<PullResult> {
    const image = await this.resolveImage(refIn, store, opts);
    await this.pullLayers(image, store, opts);
    return await this.storeManifest(image, store);
  }

  /** The first part of a pull: the manifest for the platform, and the config blob. */
  async resolveImage(refIn: Ref, store: ContentStore, opts: Pick<PullOptions, "platform" | "onProgress"> = {}): Promise<ResolvedImage> {
    const ref = toRef(refIn);
    const m = await this.getManifest(ref, opts.platform);
    opts.onProgress?.({ kind: "manifest", digest: m.digest });
    const { manifest } = m;

    await this.fetchBlob(ref, manifest.config, store);
    opts.onProgress?.({ kind: "config", digest: manifest.config.digest });
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(new TextDecoder().decode(store.read(manifest.config.digest)));
    } catch {
      throw new HuskError(`${repoName(ref)}: config ${manifest.config.digest} is not valid JSON`);
    }
    return { ref, manifest: m, config };
  }

  /** Download every layer not in the store yet, `concurrency` at a time, in manifest order. */
  async pullLayers(image: ResolvedImage, store: ContentStore, opts: PullLayersOptions = {}): Promise<void> {
    const { ref } = image;
    const layers = image.manifest.manifest.layers;
    for (const l of layers) {
      if (store.has(l.digest)) opts.onProgress?.({ kind: "layer", digest: l.digest, status: "exists", done: l.size, total: l.size });
      else opts.onProgress?.({ kind: "layer", digest: l.digest, status: "waiting", done: 0, total: l.size });
    }
    const todo = layers.filter((l, i) => !store.has(l.digest) && layers.findIndex((o) => o.digest === l.digest) === i);
    const { failed, notStarted } = await forEachLimited(
      todo,
      opts.concurrency ?? 3,
      async (layer) => {
        try {
          await this.fetchBlob(ref, layer, store, {
            onProgress: (done, total, status) => opts.onProgress?.({ kind: "layer", digest: layer.digest, status, done, total }),
            observer: opts.observe?.(layer),
          });
          opts.onProgress?.({ kind: "layer", digest: layer.digest, status: "done", done: layer.size, total: layer.size });
          opts.settled?.(layer);
        } catch (e) {
          opts.settled?.(layer, e);
          throw e;
        }
      },
      opts.stopped,
    );
    // Layers never started (after a failure or a stop) are settled too, so nobody waits on them.
    for (const layer of notStarted) opts.settled?.(layer, failed ?? new HuskError(`${repoName(ref)}: blob ${layer.digest}: not downloaded, the pull stopped`));
    if (failed !== undefined) throw failed;
  }

  /** The last part of a pull: the manifest (and index) into the store, after every blob. */
  async storeManifest(image: ResolvedImage, store: ContentStore): Promise<PullResult> {
    const m = image.manifest;
    await store.put(m.bytes, m.digest);
    if (m.index) await store.put(m.index.bytes, m.index.digest);
    return { manifestDigest: m.digest, ...(m.index ? { indexDigest: m.index.digest } : {}), manifest: m.manifest, config: image.config };
  }
}
