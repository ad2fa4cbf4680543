// Compiling linux.seccomp to BPF once per distinct profile (per process).
import { addon } from "../../native/addon.ts";
import { HuskError } from "../../runtime/errors.ts";
import { encodeNormalizedSeccomp, normalizeSeccomp } from "../seccomp/normalize.ts";
import type { LinuxSeccomp } from "../seccomp/types.ts";

const cache = new Map<string, { bpf: Uint8Array; flags: number }>();

export function compileSeccomp(profile: LinuxSeccomp | undefined): { bpf: Uint8Array; flags: number } | undefined {
  if (!profile) return undefined;
  const normalized = normalizeSeccomp(profile);
  const key = encodeNormalizedSeccomp(normalized);
  const hit = cache.get(key);
  if (hit) return hit;
  try {
    const out = addon().compileSeccomp(key);
    const compiled = { bpf: new Uint8Array(out.bpf), flags: out.flags };
    cache.set(key, compiled);
    return compiled;
  } catch (e) {
    throw new HuskError(`linux.seccomp: ${(e as Error).message}`);
  }
}
