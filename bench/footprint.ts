// husk's footprint, for people who budget an edge box:
//
//   node_modules/.bin/bun bench/footprint.ts [--husk dist/husk] [--runs 20]
//
// - executable size, over a bare `bun build --compile --minify --bytecode` of an empty
//   program (what Bun itself costs);
// - start-up of `husk --version` next to the empty program (median of --runs, interleaved);
// - peak RSS (getrusage maxrss of the child) of `husk --version`, `husk oci list` and
//   `husk system check`, and of the empty program;
// - bytes in the state dir per container (OCI face: `husk oci create`, then du of
//   <root>/containers/<id>; needs root and the busybox fixture).
// The monitor's RSS is reported once `husk-core monitor` exists.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, lstatSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs, makeBundle, ociSpec, REPO_ROOT } from "../test/fixtures/busybox-rootfs.ts";
import { ownCgroupParent, removeTestCgroups } from "../test/helpers/cgroup.ts";

const argv = process.argv.slice(2);
const opt = (n: string, d: string) => (argv.includes(n) ? argv[argv.indexOf(n) + 1]! : d);
const husk = opt("--husk", join(REPO_ROOT, "dist", "husk"));
const runs = Number(opt("--runs", "20"));
const bun = join(REPO_ROOT, "node_modules/.bin/bun");

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function emptyProgram(dir: string): string {
  writeFileSync(join(dir, "empty.ts"), "");
  const r = Bun.spawnSync([bun, "build", "--compile", "--minify", "--bytecode", "empty.ts", "--outfile", "empty"], { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`bun build of the empty program failed: ${r.stderr}`);
  return join(dir, "empty");
}

function timed(cmd: string[]): { ms: number; rssBytes: number; code: number | null } {
  const t0 = performance.now();
  const r = Bun.spawnSync(cmd, { stdin: "ignore", stdout: "ignore", stderr: "ignore", timeout: 20_000 });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${r.exitCode ?? r.signalCode}`);
  // Bun reports getrusage's maxrss in bytes
  return { ms, rssBytes: Number(r.resourceUsage?.maxRSS ?? 0), code: r.exitCode };
}

function duBytes(p: string): number {
  const st = lstatSync(p);
  if (!st.isDirectory()) return st.size;
  let n = st.size;
  for (const e of readdirSync(p)) n += duBytes(join(p, e));
  return n;
}

async function statePerContainer(): Promise<{ bytes: number; files: number } | string> {
  if (process.getuid?.() !== 0) return "needs root";
  const rootfs = await ensureBusyboxRootfs();
  const root = `/run/husk-test-${process.pid}-footprint`;
  const bundle = join(root, "bundle");
  mkdirSync(root, { mode: 0o700 });
  try {
    makeBundle({ rootfs, dir: bundle, config: ociSpec({ args: ["/bin/sleep", "30"], cgroupsPath: ownCgroupParent("footprint") }) });
    const state = join(root, "state");
    const id = `footprint-${process.pid}`;
    // The container inherits create's stdio: no pipes here, or spawnSync waits for it.
    const c = Bun.spawnSync([husk, "oci", "--root", state, "create", "--bundle", bundle, id], { stdin: "ignore", stdout: "ignore", stderr: "inherit", timeout: 30_000 });
    if (c.exitCode !== 0) return `husk oci create failed (exit ${c.exitCode}; its message is above)`;
    try {
      const dir = join(state, "containers", id);
      return { bytes: duBytes(dir), files: readdirSync(dir).length };
    } finally {
      Bun.spawnSync([husk, "oci", "--root", state, "delete", "--force", id], { stdin: "ignore", stdout: "ignore", stderr: "inherit", timeout: 30_000 });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
    removeTestCgroups("footprint");
  }
}

const tmp = mkdtempSync("/var/tmp/husk-footprint-");
try {
  const empty = emptyProgram(tmp);
  const huskSize = statSync(husk).size;
  const emptySize = statSync(empty).size;

  // start-up, interleaved so host drift hits both alike; one warm-up each
  timed([husk, "--version"]);
  timed([empty]);
  const h: number[] = [], e: number[] = [];
  for (let i = 0; i < runs; i++) {
    h.push(timed([husk, "--version"]).ms);
    e.push(timed([empty]).ms);
  }
  const rss = (cmd: string[]) => mib(median(Array.from({ length: 5 }, () => timed(cmd).rssBytes)));
  const rows: [string, string][] = [
    ["executable size (husk)", `${huskSize} B (${mib(huskSize)})`],
    ["executable size (empty bun --compile)", `${emptySize} B (${mib(emptySize)})`],
    ["husk over Bun", `${huskSize - emptySize} B (${mib(huskSize - emptySize)}, +${((huskSize / emptySize - 1) * 100).toFixed(1)} %)`],
    [`start: husk --version (median of ${runs})`, `${median(h).toFixed(1)} ms`],
    [`start: empty program (median of ${runs})`, `${median(e).toFixed(1)} ms`],
    ["peak RSS: husk --version", rss([husk, "--version"])],
    ["peak RSS: husk oci list", rss([husk, "oci", "--root", tmp, "list"])],
    ["peak RSS: husk system check", rss([husk, "system", "check"])],
    ["peak RSS: empty program", rss([empty])],
  ];
  const st = await statePerContainer();
  rows.push(["state dir per container (OCI face)", typeof st === "string" ? st : `${st.bytes} B in ${st.files} entries`]);
  rows.push(["RSS of one monitor", "not measured: husk-core monitor is not built yet"]);
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`footprint of ${husk} (${process.arch})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(w)}  ${v}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
