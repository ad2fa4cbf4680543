// Shared plumbing of the verb suites (oci-lifecycle, oci-errors): a private copy of
// dist/husk, helpers to run it, and file-level hooks that delete what a failed test left
// and check at the end that nothing leaked (mounts, cgroups, processes, state files).
//
// A detached container (create, run --detach, exec --detach) inherits husk's stdio and
// keeps it open, so such commands go through runDetached(), which uses files, not pipes.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "bun:test";
import { chmodSync, closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBusyboxRootfs } from "../../fixtures/busybox-rootfs.ts";
import { removeTestCgroups } from "../../helpers/cgroup.ts";
import { huskBin, removeTempRoot, type RunHuskOptions, type RunResult, runSync } from "../../helpers/husk.ts";
import { assertNoLeaks, type HostSnapshot, snapshotHost } from "../../helpers/leaks.ts";

export interface OciCli {
  /** True (with a warning printed) when the host cannot run these suites. */
  readonly skip: boolean;
  /** The suite's scratch dir, the busybox rootfs, and the pinned husk executable. */
  readonly work: string;
  readonly rootfs: string;
  readonly bin: string;
  /** --root dirs and cgroup names handed out by the suite: cleaned and checked at the end. */
  readonly roots: string[];
  readonly cgNames: string[];
  husk(args: string[], opts?: RunHuskOptions): RunResult;
  oci(root: string, args: string[], opts?: { stdin?: string }): RunResult;
  runDetached(root: string, args: string[], argv0?: string, prefix?: string[]): RunResult;
  expectOk(res: RunResult, stdout?: string): void;
  expectError(res: RunResult, ...contains: (string | RegExp)[]): string;
  alive(pid: number): boolean;
  readFifo(path: string, timeoutSec?: number): string;
}

export function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Files under a --root other than the containers/ dir itself. */
function stateLeftovers(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of safeReaddir(dir)) {
      const p = join(dir, e);
      out.push(p);
      walk(p);
    }
  };
  walk(join(root, "containers"));
  for (const e of safeReaddir(root)) if (e !== "containers") out.push(join(root, e));
  return out;
}

export function useOciCli(tag: string, file: string): OciCli {
  const isRoot = process.getuid?.() === 0;
  const hasTools = Bun.which("timeout") !== null && Bun.which("mkfifo") !== null;
  const skipReason = !isRoot ? "needs root (namespaces, cgroups)" : !hasTools ? "needs timeout(1) and mkfifo(1) on the host" : "";
  if (skipReason) console.warn(`${file}: skipped: ${skipReason}`);
  let work = "";
  let rootfs = "";
  let bin = "";
  let before: HostSnapshot;
  let ioSeq = 0;
  const roots: string[] = [];
  const cgNames: string[] = [];

  const husk = (args: string[], opts: RunHuskOptions = {}) => runSync([bin, ...args], opts);
  const oci = (root: string, args: string[], opts: { stdin?: string } = {}) =>
    husk(["oci", "--root", root, ...args], { stdin: opts.stdin, timeoutMs: 30_000 });

  const runDetached = (root: string, args: string[], argv0 = bin, prefix = ["oci"]): RunResult => {
    const base = join(work, `io-${++ioSeq}`);
    const outFd = openSync(`${base}.out`, "w");
    const errFd = openSync(`${base}.err`, "w");
    let res;
    try {
      res = Bun.spawnSync([argv0, ...prefix, "--root", root, ...args], { stdin: "ignore", stdout: outFd, stderr: errFd, timeout: 30_000, killSignal: "SIGKILL" });
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    return {
      exitCode: res.exitCode,
      signalCode: res.signalCode == null ? null : String(res.signalCode),
      stdout: readFileSync(`${base}.out`, "utf8"),
      stderr: readFileSync(`${base}.err`, "utf8"),
    };
  };

  const deleteAll = (root: string) => {
    for (const id of husk(["oci", "--root", root, "list", "--quiet"]).stdout.split("\n").filter(Boolean)) runDetached(root, ["delete", "--force", id]);
  };

  /**
   * A private copy of dist/husk: others rebuild dist/husk while suites run, and exec of a
   * file being rewritten fails with ETXTBSY. Taken once per suite.
   */
  const pinHuskBinary = () => {
    const src = huskBin(); // fails early and clearly when dist/husk is missing
    const dst = join(work, "husk");
    copyFileSync(src, dst);
    chmodSync(dst, 0o755);
    bin = dst;
    const probe = husk(["oci", "features"]);
    if (probe.exitCode !== 0) throw new Error(`copy of ${src} does not run: ${probe.stderr}`);
  };

  beforeAll(async () => {
    if (skipReason) return;
    rootfs = await ensureBusyboxRootfs();
    work = mkdtempSync(join(tmpdir(), `husk-e2e-${tag}-`));
    chmodSync(work, 0o755);
    pinHuskBinary();
    before = snapshotHost({ paths: [work] });
  });

  // A test that failed half-way leaves its containers: delete them through husk so that
  // the next tests and the final leak check start clean (a leak of husk's own delete
  // still shows in the final check).
  let firstRootOfTest = 0;
  beforeEach(() => {
    firstRootOfTest = roots.length;
  });
  afterEach(() => {
    if (skipReason) return;
    for (const root of roots.slice(firstRootOfTest)) deleteAll(root);
  });

  afterAll(() => {
    if (skipReason) return;
    try {
      assertNoLeaks(before, { paths: [work, ...roots] });
      const left = roots.flatMap(stateLeftovers);
      if (left.length) throw new Error(`state files left behind:\n  ${left.join("\n  ")}`);
    } finally {
      for (const root of roots) deleteAll(root);
      for (const name of cgNames) {
        try {
          removeTestCgroups(name);
        } catch (e) {
          console.error(String(e));
        }
      }
      for (const root of roots) removeTempRoot(root);
      if (work) rmSync(work, { recursive: true, force: true });
    }
  });

  return {
    skip: skipReason !== "",
    get work() {
      return work;
    },
    get rootfs() {
      return rootfs;
    },
    get bin() {
      return bin;
    },
    roots,
    cgNames,
    husk,
    oci,
    runDetached,
    expectOk(res, stdout) {
      expect({ exitCode: res.exitCode, stderr: res.stderr, signal: res.signalCode }).toEqual({ exitCode: 0, stderr: "", signal: null });
      if (stdout !== undefined) expect(res.stdout).toBe(stdout);
    },
    /** An error of the OCI face: exit 1, nothing on stdout, one line on stderr starting with "husk: ". */
    expectError(res, ...contains) {
      expect(res.signalCode).toBeNull();
      expect(res.stdout).toBe("");
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toMatch(/^husk: [^\n]+\n$/);
      for (const c of contains) {
        if (typeof c === "string") expect(res.stderr).toContain(c);
        else expect(res.stderr).toMatch(c);
      }
      return res.stderr;
    },
    /** Alive and not a zombie. */
    alive(pid) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const st = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
        return st !== "Z" && st !== "X";
      } catch {
        return false;
      }
    },
    /** Reads a fifo the container writes to; bounded, event-driven (returns on the write). */
    readFifo(path, timeoutSec = 15) {
      const res = runSync(["timeout", String(timeoutSec), "cat", path], { timeoutMs: (timeoutSec + 5) * 1000 });
      if (res.exitCode !== 0) throw new Error(`nothing written to ${path} within ${timeoutSec} s (exit ${res.exitCode}): ${res.stderr}`);
      return res.stdout;
    },
  };
}
