// `husk login` checks credentials before they are saved: /v2/ tells how the registry
// authenticates; Basic credentials are tried on /v2/ itself, token credentials on the
// token service (a token for no particular scope, as docker asks for one).
import { HuskError } from "../../runtime/errors.ts";
import { basicHeader, fetchToken } from "./auth.ts";
import type { Credentials } from "./auth.ts";
import { RegistryClient } from "./client.ts";

export type LoginCheck = "basic" | "token" | "no-auth";

export async function verifyLogin(registry: string, creds: Credentials, opts: { insecure: string[]; fetch?: typeof fetch }): Promise<LoginCheck> {
  const fetchFn = opts.fetch ?? fetch;
  const client = new RegistryClient({ insecure: opts.insecure, fetch: fetchFn });
  const challenge = await client.ping(registry);
  if (challenge.scheme === "none") return "no-auth";
  if (challenge.scheme === "bearer") {
    try {
      await fetchToken(fetchFn, registry, challenge, "", creds, opts.insecure.includes(registry));
    } catch (e) {
      if (e instanceof HuskError && / 40[13] /.test(e.message)) {
        throw new HuskError(`login to ${registry} as ${creds.username}: the token service refused the credentials`, "check the username and password", 1);
      }
      throw e;
    }
    return "token";
  }
  const url = `${client.baseUrl(registry)}/v2/`;
  let res: Response;
  try {
    res = await fetchFn(url, { headers: { Authorization: basicHeader(creds) } });
  } catch (e) {
    throw new HuskError(`login to ${registry}: cannot reach ${url}: ${(e as Error).message}`, "is the registry running and reachable?");
  }
  await res.body?.cancel().catch(() => {});
  if (res.status === 401 || res.status === 403) {
    throw new HuskError(`login to ${registry} as ${creds.username}: ${res.status} the registry refused the credentials`, "check the username and password", 1);
  }
  if (!res.ok) throw new HuskError(`login to ${registry}: /v2/ answered ${res.status} ${res.statusText}`, "the registry failed; retry later");
  return "basic";
}
