// Registry credentials in a docker-compatible auth file: {"auths": {"<registry>": {"auth":
// base64("user:pass")}}}. The file is found as podman and docker look for it, is written
// with mode 0600 through a temp file and a rename, and keeps every key husk does not know.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname } from "node:path";
import { HuskError } from "../runtime/errors.ts";
import { writeFileAtomic } from "../state/atomic-file.ts";
import { DEFAULT_REGISTRY } from "./reference.ts";
import type { Credentials, CredentialsFn } from "./registry/auth.ts";

/** docker writes Docker Hub's entry under its old v1 index URL; so do we. */
const DOCKER_HUB_KEY = "https://index.docker.io/v1/";

/** --authfile, else $REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function authFilePath(flag: string | undefined, env: Record<string, string | undefined> = process.env): string {
  if (flag) return flag;
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  if (env.DOCKER_CONFIG) return `${env.DOCKER_CONFIG}/config.json`;
  return `${env.HOME || homedir()}/.docker/config.json`;
}

/**
 * The registry an auth-file key names: keys may be `host:port`, `https://host/v1/`, or
 * (podman) `host/repo`; the repository part is dropped (husk stores per registry).
 */
export function registryOfKey(key: string): string {
  let k = key.replace(/^[a-z]+:\/\//i, "");
  k = k.split("/")[0] ?? k;
  if (k === "index.docker.io" || k === "registry-1.docker.io" || k === "docker.io") return DEFAULT_REGISTRY;
  return k;
}

/** What the user typed after `husk login` (`https://host:5000`, `host:5000/`, nothing) as a registry name. */
export function normalizeRegistryArg(arg: string | undefined): string {
  if (!arg) return DEFAULT_REGISTRY;
  const r = registryOfKey(arg.trim());
  if (!r) throw new HuskError(`"${arg}" does not name a registry`, "give host[:port], e.g. 127.0.0.1:5000");
  return r;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  [k: string]: unknown;
}

type AuthFile = { auths?: Record<string, AuthEntry>; [k: string]: unknown };

function readAuthFile(path: string): AuthFile {
  if (!existsSync(path)) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new HuskError(`auth file ${path}: cannot read: ${err.code ?? err.message}`, "check its permissions, or point --authfile elsewhere");
  }
  if (!text.trim()) return {};
  try {
    const body = JSON.parse(text) as unknown;
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new Error("not an object");
    return body as AuthFile;
  } catch (e) {
    throw new HuskError(`auth file ${path}: not valid JSON (${(e as Error).message})`, "fix or remove the file");
  }
}

function decodeEntry(entry: AuthEntry, path: string, key: string): Credentials | undefined {
  if (typeof entry.auth === "string" && entry.auth) {
    const plain = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = plain.indexOf(":");
    if (colon <= 0) throw new HuskError(`auth file ${path}: the entry for ${key} is not base64 of user:password`, `log in to ${key} again`);
    return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
  }
  if (typeof entry.username === "string" && typeof entry.password === "string") return { username: entry.username, password: entry.password };
  return undefined;
}

/** The credentials stored for `registry`, if any. An exact key wins over a spelled-differently one. */
export function lookupCredentials(path: string, registry: string): Credentials | undefined {
  const auths = readAuthFile(path).auths ?? {};
  const keys = Object.keys(auths);
  // Host-wide keys (`host`, `https://host/v1/`) before repository-scoped ones (`host/repo`).
  const hostWide = (k: string) => !k.replace(/^[a-z]+:\/\//i, "").replace(/\/(v[12]\/?)?$/, "").includes("/");
  const key = keys.find((k) => k === registry)
    ?? keys.find((k) => registryOfKey(k) === registry && hostWide(k))
    ?? keys.find((k) => registryOfKey(k) === registry);
  return key ? decodeEntry(auths[key]!, path, key) : undefined;
}

function keysFor(auths: Record<string, AuthEntry>, registry: string): string[] {
  return Object.keys(auths).filter((k) => registryOfKey(k) === registry);
}

export function storeCredentials(path: string, registry: string, creds: Credentials): void {
  const file = readAuthFile(path);
  const auths = (file.auths ??= {});
  // One entry per registry: drop other spellings so a later lookup cannot find stale ones.
  for (const k of keysFor(auths, registry)) delete auths[k];
  const key = registry === DEFAULT_REGISTRY ? DOCKER_HUB_KEY : registry;
  auths[key] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString("base64") };
  writeAuthFile(path, file);
}

/** Returns false when nothing was stored for `registry`. */
export function removeCredentials(path: string, registry: string): boolean {
  if (!existsSync(path)) return false;
  const file = readAuthFile(path);
  const keys = keysFor(file.auths ?? {}, registry);
  if (!keys.length) return false;
  for (const k of keys) delete file.auths![k];
  writeAuthFile(path, file);
  return true;
}

function writeAuthFile(path: string, file: AuthFile): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(file, null, "\t")}\n`), 0o600);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new HuskError(`auth file ${path}: cannot write: ${err.code ?? err.message}`, "check the directory's permissions, or point --authfile elsewhere");
  }
}

/** `--creds user:pass` as given on a command line. */
export function parseCredsFlag(text: string): Credentials {
  const colon = text.indexOf(":");
  if (colon <= 0) throw new HuskError(`--creds: expected user:password, got "${colon < 0 ? text : ":…"}"`, "pass --creds USER:PASSWORD");
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Credentials for every registry a command talks to: `--creds` for the one it names, the
 * auth file for the rest (and for that one when no --creds). The file is read lazily.
 */
export function credentialsSource(opts: { authfile?: string; creds?: string; registry?: string; env?: Record<string, string | undefined> }): CredentialsFn {
  const explicit = opts.creds !== undefined ? parseCredsFlag(opts.creds) : undefined;
  const path = authFilePath(opts.authfile, opts.env);
  const cache = new Map<string, Credentials | undefined>();
  return (registry) => {
    if (explicit && (opts.registry === undefined || registry === opts.registry)) return explicit;
    if (!cache.has(registry)) cache.set(registry, lookupCredentials(path, registry));
    return cache.get(registry);
  };
}
