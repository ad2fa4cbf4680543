// Compiled seccomp filters kept on disk by profile hash (<root>/engine/seccomp/<hash>),
// so docker's default profile is compiled to BPF once per boot, not on every `husk run`
// (compiling it costs tens of milliseconds). The key includes husk's build, since the
// libseccomp linked in decides which syscalls the filter knows.
import { mkdirSync, readFileSync } from "node:fs";
import { compileSeccomp } from "../oci/ops/seccomp.ts";
import type { LinuxSeccomp } from "../oci/seccomp/types.ts";
import { writeFileAtomic } from "../state/atomic-file.ts";
import { BUILD_INFO } from "../version.ts";

export function cachedSeccomp(root: string, profile: LinuxSeccomp | undefined): { bpf: Uint8Array; flags: number } | undefined {
  if (!profile) return undefined;
  // Keyed by the profile's JSON as given: normalizing it first (so that two spellings of
  // one profile share an entry) cost about a millisecond per run, for a rare cache hit.
  const key = new Bun.CryptoHasher("sha256").update(`${BUILD_INFO.version} ${BUILD_INFO.commit}\n`).update(JSON.stringify(profile)).digest("hex");
  const dir = `${root}/engine/seccomp`;
  const file = `${dir}/${key}`;
  try {
    const raw = readFileSync(file);
    if (raw.length >= 4) return { flags: raw.readUInt32LE(0), bpf: new Uint8Array(raw.subarray(4)) };
  } catch {}
  const compiled = compileSeccomp(profile)!;
  const out = Buffer.alloc(4 + compiled.bpf.length);
  out.writeUInt32LE(compiled.flags >>> 0, 0);
  out.set(compiled.bpf, 4);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(file, out);
  } catch {}
  return compiled;
}
