// Image references as docker parses them: `busybox`, `library/busybox:1.36`,
// `127.0.0.1:5000/team/app@sha256:<hex>`. A first component with a "." or ":" (or
// "localhost") names the registry; otherwise it is Docker Hub, where one-component names
// live under "library/". No tag and no digest means ":latest".
import { HuskError } from "../runtime/errors.ts";

export const DEFAULT_REGISTRY = "docker.io";
/** Docker Hub's API endpoint differs from its name in references. */
export const DOCKER_HUB_ENDPOINT = "registry-1.docker.io";

export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/;

function bad(text: string, why: string): HuskError {
  return new HuskError(`invalid image reference "${text}": ${why}`, "use [registry/]name[:tag][@sha256:digest], e.g. busybox:1.36");
}

export function parseReference(text: string): ImageReference {
  if (!text) throw bad(text, "empty");
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(text, `"${digest}" is not a digest`);
    if (digest.startsWith("sha256:") && !/^sha256:[0-9a-f]{64}$/.test(digest)) throw bad(text, "a sha256 digest is 64 lowercase hex characters");
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(text, `"${tag}" is not a valid tag`);
  }
  const parts = rest.split("/");
  let registry = DEFAULT_REGISTRY;
  const first = parts[0] ?? "";
  // docker's rule: a first component with ".", ":" or uppercase, or "localhost", is a host.
  const isHost = first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase();
  if (parts.length > 1 && isHost) {
    if (!DOMAIN.test(first)) throw bad(text, `"${first}" is not a registry host`);
    registry = first;
    parts.shift();
  }
  if (!parts.length || parts.some((p) => p === "")) throw bad(text, "empty name component");
  for (const p of parts) {
    if (p !== p.toLowerCase()) throw bad(text, "repository names must be lowercase");
    if (!COMPONENT.test(p)) throw bad(text, `"${p}" is not a valid name component`);
  }
  if (registry === DEFAULT_REGISTRY && parts.length === 1) parts.unshift("library");
  const repository = parts.join("/");
  if (registry.length + 1 + repository.length > 255) throw bad(text, "name longer than 255 characters");
  return { registry, repository, tag: tag ?? (digest ? undefined : "latest"), digest };
}

/** Full form: docker.io/library/busybox:latest */
export function canonicalReference(r: ImageReference): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
}

/** Short form as docker prints it: busybox:latest, team/app:1, 127.0.0.1:5000/x:y */
export function familiarReference(r: ImageReference): string {
  let name = `${r.registry}/${r.repository}`;
  if (r.registry === DEFAULT_REGISTRY) name = r.repository.startsWith("library/") ? r.repository.slice(8) : r.repository;
  return `${name}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
}

/** The host to talk to for a registry name. */
export function registryEndpoint(registry: string): string {
  return registry === DEFAULT_REGISTRY ? DOCKER_HUB_ENDPOINT : registry;
}
