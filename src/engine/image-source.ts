// The image a container starts from: found in the store, or pulled as --pull says.
import { readFileSync } from "node:fs";
import type { ImageConfig } from "../image/config-to-process.ts";
import { ContentStore } from "../image/content-store.ts";
import { type ImageRecord, ImageStore } from "../image/image-store.ts";
import { LayerStore } from "../image/layer-store.ts";
import { canonicalReference, parseReference } from "../image/reference.ts";
import { HuskError } from "../runtime/errors.ts";
import { trace } from "../util/trace.ts";
import { formatPlatform, hostPlatform, normalizePlatform, parsePlatform } from "../image/registry/platform.ts";

export interface ResolvedImage {
  record: ImageRecord;
  config: ImageConfig;
  /** Layer diff dirs, bottom first. */
  layerDirs: string[];
  /** The reference as typed, normalised (docker.io/library/busybox:latest). */
  ref: string;
}

export interface ImageSourceOptions {
  dataRoot: string;
  pull: "missing" | "always" | "never";
  platform?: string;
  /** Told before an automatic pull (docker prints "Unable to find image ... locally"). */
  onPull?: (ref: string) => void;
}

function normalised(text: string): string {
  try {
    return canonicalReference(parseReference(text));
  } catch {
    throw new HuskError(`invalid image reference "${text}"`, "expected NAME[:TAG] or NAME@sha256:DIGEST", 125);
  }
}

function lookup(store: ImageStore, text: string, platform: string | undefined): ImageRecord | undefined {
  try {
    return platform ? store.resolveForPlatform(text, platform) : store.resolveForPlatform(text, formatPlatform(hostPlatform()));
  } catch (e) {
    if (e instanceof HuskError && e.message.startsWith("no such image")) return undefined;
    throw e;
  }
}

/** os/arch must match; a variant only when both name one (arm64 is v8 either way). */
function samePlatform(record: ImageRecord, want: string): boolean {
  const p = normalizePlatform(record.platform);
  const w = parsePlatform(want);
  return p.os === w.os && p.architecture === w.architecture && (!p.variant || !w.variant || p.variant === w.variant);
}

export async function resolveImage(text: string, opts: ImageSourceOptions): Promise<ResolvedImage> {
  const store = new ImageStore(opts.dataRoot);
  let record = opts.pull === "always" ? undefined : lookup(store, text, opts.platform);
  // A local image of another platform than asked is "missing" for --pull missing.
  if (record && opts.platform && !samePlatform(record, opts.platform)) record = opts.pull === "never" ? record : undefined;
  const ref = record && /^(sha256:)?[0-9a-f]{4,64}$/.test(text) ? text : normalised(text);
  if (!record) {
    if (opts.pull === "never") throw new HuskError(`no such image: ${text}`, "pull it first ('husk image pull'), or drop --pull never", 125);
    if (opts.pull === "missing") opts.onPull?.(text);
    try {
      // Loaded only when needed: the registry client and unpacker are a large share of
      // the modules `husk run` would otherwise evaluate on every start.
      const { pullImage } = await import("../image/pull.ts");
      record = await pullImage(text, { dataRoot: opts.dataRoot, platform: opts.platform, root: process.getuid?.() === 0 });
    } catch (e) {
      const why = e instanceof HuskError ? e.render() : (e as Error).message;
      throw new HuskError(`unable to find image "${text}" locally, and pulling it failed: ${why}`, undefined, 125);
    }
  }
  if (opts.platform && !samePlatform(record, opts.platform))
    throw new HuskError(`image ${text} is here only for ${formatPlatform(record.platform)}, not ${opts.platform}`, `pull or load it for ${opts.platform} (--pull missing, or 'husk image load --platform ${opts.platform}')`, 125);
  trace("engine image: found");
  const content = new ContentStore(opts.dataRoot);
  const layers = new LayerStore(opts.dataRoot);
  const blob = JSON.parse(readFileSync(content.blobPath(record.id), "utf8")) as { config?: ImageConfig };
  const layerDirs = record.layers.map((l) => layers.diffDir(l.chainId));
  if (!layerDirs.length) throw new HuskError(`image ${text} has no layers`, "the image is malformed", 125);
  return { record, config: blob.config ?? {}, layerDirs, ref };
}
