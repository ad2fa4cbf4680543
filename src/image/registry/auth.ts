// Registry authentication: the WWW-Authenticate challenge of /v2/, Basic credentials, and
// bearer tokens from the challenge's realm (anonymous, or with Basic to the realm), cached
// per registry and scope until they expire.
import { HuskError } from "../../runtime/errors.ts";

export interface Credentials {
  username: string;
  password: string;
}

export type CredentialsFn = (registry: string) => Credentials | undefined;

export interface Challenge {
  scheme: "bearer" | "basic" | "none";
  params: Record<string, string>;
}

/** Parse one WWW-Authenticate header (`Bearer realm="...",service="...",scope="..."`). */
export function parseChallenge(header: string | null): Challenge {
  if (!header) return { scheme: "none", params: {} };
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return { scheme: "none", params: {} };
  const scheme = m[1]!.toLowerCase();
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) {
    params[p[1]!.toLowerCase()] = p[3] !== undefined ? p[3].replace(/\\(.)/g, "$1") : p[2]!;
  }
  if (scheme === "bearer") return { scheme: "bearer", params };
  if (scheme === "basic") return { scheme: "basic", params };
  return { scheme: "none", params };
}

export function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
}

interface CachedToken {
  token: string;
  expires: number; // ms since epoch
}

export class TokenCache {
  private tokens = new Map<string, CachedToken>();

  get(key: string): string | undefined {
    const t = this.tokens.get(key);
    if (!t) return undefined;
    if (Date.now() >= t.expires) {
      this.tokens.delete(key);
      return undefined;
    }
    return t.token;
  }

  set(key: string, token: string, expiresInSec: number): void {
    // Renew a little early so a token does not expire in flight.
    this.tokens.set(key, { token, expires: Date.now() + Math.max(1, expiresInSec - 10) * 1000 });
  }

  delete(key: string): void {
    this.tokens.delete(key);
  }
}

/**
 * Fetch a bearer token from the challenge's realm. `allowInsecureRealm` permits an http://
 * realm (credentials are only sent over it when it is allowed).
 */
export async function fetchToken(
  fetchFn: typeof fetch,
  registry: string,
  challenge: Challenge,
  scope: string,
  creds: Credentials | undefined,
  allowInsecureRealm: boolean,
): Promise<{ token: string; expiresIn: number }> {
  const realm = challenge.params.realm;
  if (!realm) throw new HuskError(`${registry}: bearer challenge without a realm`, "the registry's auth configuration is broken");
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new HuskError(`${registry}: bearer realm "${realm}" is not a URL`, "the registry's auth configuration is broken");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowInsecureRealm)) {
    throw new HuskError(`${registry}: token realm ${realm} is not https`, `list ${registry} as an insecure registry to allow a plain-http token service`);
  }
  if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
  for (const s of scope.split(" ").filter(Boolean)) url.searchParams.append("scope", s);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (creds) headers.Authorization = basicHeader(creds);
  let res: Response;
  try {
    res = await fetchFn(url, { headers, redirect: "follow" });
  } catch (e) {
    throw new HuskError(`${registry}: token service ${url.origin}: ${(e as Error).message}`, "check that the registry's token service is reachable");
  }
  const text = await res.text();
  if (!res.ok) {
    const detail = text.trim().split("\n")[0]?.slice(0, 200) ?? "";
    throw new HuskError(
      `${registry}: token for ${scope}: ${res.status} ${res.statusText}${detail ? ` ${detail}` : ""}`,
      res.status === 401 || res.status === 403 ? (creds ? "the username or password was refused" : "this repository needs credentials") : "the token service failed",
    );
  }
  let body: { token?: string; access_token?: string; expires_in?: number };
  try {
    body = JSON.parse(text);
  } catch {
    throw new HuskError(`${registry}: token service answered with non-JSON`);
  }
  const token = body.token ?? body.access_token;
  if (!token) throw new HuskError(`${registry}: token service answered without a token`);
  return { token, expiresIn: typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 60 };
}
