// Drive the compiled husk executable (dist/husk) from tests.

import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { mountsAtOrUnder } from "../../src/storage/mountinfo.ts";

/** Repository root (this file lives in test/helpers/). */
export const REPO_ROOT = resolve(import.meta.dir, "..", "..");

/** Path of the compiled single executable. $HUSK_BIN overrides it. */
export function huskBin(): string {
  const bin = process.env.HUSK_BIN ? resolve(process.env.HUSK_BIN) : join(REPO_ROOT, "dist", "husk");
  if (!existsSync(bin)) {
    throw new Error(
      `husk executable not found at ${bin}: build it first with ` +
        "`node_modules/.bin/bun run build` (or run the whole suite with `bash test/run-all.sh`)",
    );
  }
  return bin;
}

export interface RunHuskOptions {
  /** Extra environment, merged over the test process's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Data written to the child's stdin (default: no stdin). */
  stdin?: string | Uint8Array;
  /** Kill the child after this many ms (default 60 s); a timeout shows as signalCode. */
  timeoutMs?: number;
}

export interface RunResult {
  exitCode: number | null;
  /** Set when the child died from a signal (including a timeout kill). */
  signalCode: string | null;
  stdout: string;
  stderr: string;
}

/** Run `husk <args>` synchronously and collect its exit code, stdout and stderr. */
export function runHusk(args: string[], opts: RunHuskOptions = {}): RunResult {
  return runSync([huskBin(), ...args], opts);
}

/** Run any command synchronously (same options and result as runHusk). */
export function runSync(cmd: string[], opts: RunHuskOptions = {}): RunResult {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) {
    if (v !== undefined) env[k] = v;
  }
  const stdin = opts.stdin === undefined ? "ignore" : typeof opts.stdin === "string" ? new TextEncoder().encode(opts.stdin) : opts.stdin;
  const res = Bun.spawnSync(cmd, {
    cwd: opts.cwd,
    env,
    stdin,
    stdout: "pipe",
    stderr: "pipe",
    timeout: opts.timeoutMs ?? 60_000,
    killSignal: "SIGKILL",
  });
  return {
    exitCode: res.exitCode,
    signalCode: res.signalCode == null ? null : String(res.signalCode),
    stdout: res.stdout ? res.stdout.toString() : "",
    stderr: res.stderr ? res.stderr.toString() : "",
  };
}

const TEMP_ROOT_PREFIX = "/run/husk-test-";

/**
 * Make a fresh, empty `--root` state dir /run/husk-test-<pid>-<random> (mode 0700).
 * The caller removes it with removeTempRoot() (or rmSync) when done.
 */
export function tempRoot(): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const dir = `${TEMP_ROOT_PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    try {
      mkdirSync(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  throw new Error("tempRoot: could not create a unique dir under /run");
}

/**
 * Remove a dir made by tempRoot(). Refuses (throws) if something is still mounted
 * below it, so that a leaked mount is reported instead of its contents being deleted.
 */
export function removeTempRoot(dir: string): void {
  if (!dir.startsWith(TEMP_ROOT_PREFIX)) throw new Error(`removeTempRoot: ${dir} was not made by tempRoot()`);
  const mounted = mountsAtOrUnder(dir).map((m) => m.mountPoint);
  if (mounted.length > 0) throw new Error(`removeTempRoot: still mounted under ${dir}: ${mounted.join(", ")}`);
  rmSync(dir, { recursive: true, force: true });
}

/** A tempRoot() that removes itself at the end of a `using` scope. */
export function scopedTempRoot(): { path: string } & Disposable {
  const path = tempRoot();
  return { path, [Symbol.dispose]: () => removeTempRoot(path) };
}
