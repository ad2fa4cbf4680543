/**
 * OCI `linux.seccomp` -> the normalized profile that the C core compiles to BPF.
 *
 * Normalizing resolves every name to the number libseccomp and the kernel use (actions
 * with their errno folded in, arch tokens, comparison ops, filter flags) and checks the
 * profile, so that every mistake is reported here with its exact spec path
 * (`linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"`) instead of as an
 * errno from deep inside libseccomp.
 *
 * `encodeNormalizedSeccomp` writes the line format that `compileSeccomp` in
 * core-c/addon/seccomp_compile.c reads (documented at the top of that file);
 * `profileHash` hashes that same encoding, so two profiles with the same hash compile to
 * the same BPF with a given libseccomp.
 */

import type { LinuxSeccompAction, LinuxSeccompArch, LinuxSeccompFlag, LinuxSeccompOperator } from "./types.ts";

/** libseccomp action values (seccomp.h; the same numbers as SECCOMP_RET_* in linux/seccomp.h). */
export const SCMP_ACT = {
  KILL_THREAD: 0x00000000,
  KILL_PROCESS: 0x80000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  NOTIFY: 0x7fc00000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

export const scmpActErrno = (errno: number): number => (SCMP_ACT.ERRNO | (errno & 0xffff)) >>> 0;
export const scmpActTrace = (msg: number): number => (SCMP_ACT.TRACE | (msg & 0xffff)) >>> 0;

/** Actions without data; ERRNO and TRACE take errnoRet (EPERM when absent, as runc). */
const ACTIONS: Record<LinuxSeccompAction, number> = {
  SCMP_ACT_KILL: SCMP_ACT.KILL_THREAD,
  SCMP_ACT_KILL_THREAD: SCMP_ACT.KILL_THREAD,
  SCMP_ACT_KILL_PROCESS: SCMP_ACT.KILL_PROCESS,
  SCMP_ACT_TRAP: SCMP_ACT.TRAP,
  SCMP_ACT_ERRNO: SCMP_ACT.ERRNO,
  SCMP_ACT_TRACE: SCMP_ACT.TRACE,
  SCMP_ACT_ALLOW: SCMP_ACT.ALLOW,
  SCMP_ACT_LOG: SCMP_ACT.LOG,
  SCMP_ACT_NOTIFY: SCMP_ACT.NOTIFY,
};

const EPERM = 1;

/** SCMP_ARCH_* tokens: the AUDIT_ARCH_* value of each ABI (ELF machine | 64-bit | LE bits). */
export const SCMP_ARCH: Record<LinuxSeccompArch, number> = {
  SCMP_ARCH_X86: 0x40000003,
  SCMP_ARCH_X86_64: 0xc000003e,
  SCMP_ARCH_X32: 0x4000003e,
  SCMP_ARCH_ARM: 0x40000028,
  SCMP_ARCH_AARCH64: 0xc00000b7,
  SCMP_ARCH_MIPS: 0x00000008,
  SCMP_ARCH_MIPS64: 0x80000008,
  SCMP_ARCH_MIPS64N32: 0xa0000008,
  SCMP_ARCH_MIPSEL: 0x40000008,
  SCMP_ARCH_MIPSEL64: 0xc0000008,
  SCMP_ARCH_MIPSEL64N32: 0xe0000008,
  SCMP_ARCH_PPC: 0x00000014,
  SCMP_ARCH_PPC64: 0x80000015,
  SCMP_ARCH_PPC64LE: 0xc0000015,
  SCMP_ARCH_S390: 0x00000016,
  SCMP_ARCH_S390X: 0x80000016,
  SCMP_ARCH_PARISC: 0x0000000f,
  SCMP_ARCH_PARISC64: 0x8000000f,
  SCMP_ARCH_RISCV64: 0xc00000f3,
  // Known to libseccomp >= 2.6 only; an older libseccomp refuses them at compile time.
  SCMP_ARCH_LOONGARCH64: 0xc0000102,
  SCMP_ARCH_M68K: 0x00000004,
  SCMP_ARCH_SH: 0x4000002a,
  SCMP_ARCH_SHEB: 0x0000002a,
};

/** enum scmp_compare in seccomp.h. */
export const SCMP_CMP: Record<LinuxSeccompOperator, number> = {
  SCMP_CMP_NE: 1,
  SCMP_CMP_LT: 2,
  SCMP_CMP_LE: 3,
  SCMP_CMP_EQ: 4,
  SCMP_CMP_GE: 5,
  SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
};

/** SECCOMP_FILTER_FLAG_* bits (linux/seccomp.h) a profile may ask for. NEW_LISTENER (8)
 * and TSYNC_ESRCH (16) belong to the runtime, not to profiles. */
export const SECCOMP_FILTER_FLAG: Record<LinuxSeccompFlag, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 32,
};

export interface NormalizedSeccompArg {
  /** syscall argument, 0..5 */
  index: number;
  /** SCMP_CMP_* */
  op: number;
  /** uint64 */
  value: bigint;
  /** uint64; 0 when the spec leaves it out */
  valueTwo: bigint;
}

export interface NormalizedSeccompRule {
  /** index of the rule in linux.seccomp.syscalls[], for error messages */
  source: number;
  names: string[];
  /** SCMP_ACT_* value, errno folded in */
  action: number;
  args: NormalizedSeccompArg[];
}

export interface NormalizedSeccomp {
  /** SCMP_ACT_* value, errno folded in */
  defaultAction: number;
  /** SCMP_ARCH_* tokens besides the native one, deduplicated, in spec order */
  architectures: number[];
  /** SECCOMP_FILTER_FLAG_* bits */
  flags: number;
  rules: NormalizedSeccompRule[];
}

const SYSCALL_NAME = /^[a-z0-9_]{1,63}$/;
const UINT64_MAX = (1n << 64n) - 1n;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function fail(path: string, message: string): never {
  throw new Error(`${path}: ${message}`);
}

function optionalArray(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, "must be an array");
  return v;
}

function errnoValue(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffff)
    fail(path, `must be an integer errno in [0, 65535], got ${JSON.stringify(v)}`);
  return v;
}

function uint64(v: unknown, path: string): bigint {
  let n: bigint | undefined;
  if (typeof v === "bigint") n = v;
  else if (typeof v === "number" && Number.isInteger(v)) n = BigInt(v);
  if (n === undefined || n < 0n || n > UINT64_MAX)
    fail(path, `must be an integer in [0, 2^64-1], got ${typeof v === "bigint" ? `${v}n` : JSON.stringify(v)}`);
  return n;
}

function action(name: unknown, errnoRet: unknown, path: string, errnoPath: string): number {
  if (name === undefined) fail(path, "is required");
  if (typeof name !== "string") fail(path, `must be a string, got ${JSON.stringify(name)}`);
  if (!Object.hasOwn(ACTIONS, name)) fail(path, `unknown action ${JSON.stringify(name)}`);
  const base = ACTIONS[name as LinuxSeccompAction];
  const hasErrno = errnoRet !== undefined && errnoRet !== null;
  if (base === SCMP_ACT.ERRNO) return scmpActErrno(hasErrno ? errnoValue(errnoRet, errnoPath) : EPERM);
  if (base === SCMP_ACT.TRACE) return scmpActTrace(hasErrno ? errnoValue(errnoRet, errnoPath) : EPERM);
  if (hasErrno) fail(errnoPath, `only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not ${name}`);
  return base >>> 0;
}

function normalizeArg(raw: unknown, path: string): NormalizedSeccompArg {
  if (!isObject(raw)) fail(path, "must be an object");
  const index = raw.index;
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > 5)
    fail(`${path}.index`, `must be a syscall argument index in [0, 5], got ${JSON.stringify(index)}`);
  const op = raw.op;
  if (op === undefined) fail(`${path}.op`, "is required");
  if (typeof op !== "string" || !Object.hasOwn(SCMP_CMP, op))
    fail(`${path}.op`, `unknown operator ${JSON.stringify(op)}`);
  if (raw.value === undefined) fail(`${path}.value`, "is required");
  const value = uint64(raw.value, `${path}.value`);
  const valueTwo = raw.valueTwo === undefined || raw.valueTwo === null ? 0n : uint64(raw.valueTwo, `${path}.valueTwo`);
  return { index, op: SCMP_CMP[op as LinuxSeccompOperator], value, valueTwo };
}

/**
 * Check an OCI `linux.seccomp` object and resolve it to numbers. Throws an Error whose
 * message starts with the exact spec path of the first problem. `path` is the prefix
 * for those messages.
 */
export function normalizeSeccomp(spec: unknown, path = "linux.seccomp"): NormalizedSeccomp {
  if (!isObject(spec)) fail(path, "must be an object");

  const defaultAction = action(spec.defaultAction, spec.defaultErrnoRet, `${path}.defaultAction`, `${path}.defaultErrnoRet`);
  if (defaultAction === SCMP_ACT.NOTIFY) fail(`${path}.defaultAction`, "SCMP_ACT_NOTIFY cannot be the default action");

  const architectures: number[] = [];
  optionalArray(spec.architectures, `${path}.architectures`).forEach((a, i) => {
    if (typeof a !== "string" || !Object.hasOwn(SCMP_ARCH, a))
      fail(`${path}.architectures[${i}]`, `unknown architecture ${JSON.stringify(a)}`);
    const token = SCMP_ARCH[a as LinuxSeccompArch];
    if (!architectures.includes(token)) architectures.push(token);
  });

  let flags = 0;
  optionalArray(spec.flags, `${path}.flags`).forEach((f, i) => {
    if (typeof f !== "string" || !Object.hasOwn(SECCOMP_FILTER_FLAG, f))
      fail(`${path}.flags[${i}]`, `unknown flag ${JSON.stringify(f)}`);
    flags |= SECCOMP_FILTER_FLAG[f as LinuxSeccompFlag];
  });

  const rules: NormalizedSeccompRule[] = [];
  let notify = false;
  optionalArray(spec.syscalls, `${path}.syscalls`).forEach((raw, i) => {
    const rpath = `${path}.syscalls[${i}]`;
    if (!isObject(raw)) fail(rpath, "must be an object");
    if (!Array.isArray(raw.names) || raw.names.length === 0)
      fail(`${rpath}.names`, "must be a non-empty array of syscall names");
    const names = raw.names.map((n, j) => {
      if (typeof n !== "string" || !SYSCALL_NAME.test(n))
        fail(`${rpath}.names[${j}]`, `invalid syscall name ${JSON.stringify(n)}`);
      return n;
    });
    const act = action(raw.action, raw.errnoRet, `${rpath}.action`, `${rpath}.errnoRet`);
    if (act === SCMP_ACT.NOTIFY) {
      notify = true;
      // The runtime's own writes (to the notify socket, the sync pipe) would deadlock.
      const w = names.indexOf("write");
      if (w >= 0) fail(`${rpath}.names[${w}]`, `SCMP_ACT_NOTIFY cannot be used for "write"`);
    }
    const args = optionalArray(raw.args, `${rpath}.args`).map((a, j) => normalizeArg(a, `${rpath}.args[${j}]`));
    rules.push({ source: i, names, action: act, args });
  });

  if (spec.listenerPath !== undefined && typeof spec.listenerPath !== "string")
    fail(`${path}.listenerPath`, "must be a string");
  if (notify && !spec.listenerPath) fail(`${path}.listenerPath`, "is required when a rule uses SCMP_ACT_NOTIFY");

  return { defaultAction, architectures, flags, rules };
}

/** The line format compileSeccomp reads (see core-c/addon/seccomp_compile.c). */
export function encodeNormalizedSeccomp(p: NormalizedSeccomp): string {
  const out = ["husk-seccomp 1", `default ${p.defaultAction >>> 0}`, `flags ${p.flags >>> 0}`];
  for (const a of p.architectures) out.push(`arch ${a >>> 0}`);
  for (const r of p.rules) {
    out.push(`rule ${r.source} ${r.action >>> 0} ${r.args.length} ${r.names.length}`);
    for (const a of r.args) out.push(`arg ${a.index} ${a.op} ${a.value} ${a.valueTwo}`);
    for (const n of r.names) out.push(`name ${n}`);
  }
  out.push("end", "");
  return out.join("\n");
}

/**
 * sha256 (hex) of the canonical encoding: equal for profiles that compile to the same
 * filter, whatever key order or spelling (SCMP_ACT_KILL vs SCMP_ACT_KILL_THREAD) the
 * JSON used. A cache kept across husk upgrades should also key on the libseccomp in use,
 * since the set of syscalls it knows decides what gets skipped.
 */
export function profileHash(p: NormalizedSeccomp): string {
  // Bun's native hasher: importing node:crypto would cost ~1.5 ms of start-up on every
  // command that merely validates a config.
  return new Bun.CryptoHasher("sha256").update(encodeNormalizedSeccomp(p)).digest("hex");
}
