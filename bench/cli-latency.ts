// Latency of the light engine commands: `husk volume create/ls/inspect/rm`, `network ls`,
// `plugin ls`, with `husk --version` as the floor (Bun start-up, no command module).
//
//   node_modules/.bin/bun bench/cli-latency.ts [--runs N (40)] [--husk dist/husk] [--baseline PATH]
//
// With --baseline (another husk binary, say one built from main) both run every command,
// interleaved, so that a busy host hits them alike. Wall time, CPU time (user + system,
// which a busy host disturbs much less) and the time to load the command's modules (from
// HUSK_TRACE: "modules loaded" to "command loaded") are reported as medians. State lives
// in a temp --root/--data-root, removed at the end.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../test/fixtures/busybox-rootfs.ts";
import { median, parseFlags, printColumns, rotated } from "./lib.ts";

const args = parseFlags("cli-latency", {
  runs: { kind: "count", default: 40, min: 1 },
  husk: { kind: "path", default: join(REPO_ROOT, "dist", "husk") },
  baseline: { kind: "path" },
});
const bins = [{ name: "husk", path: args.husk }, ...(args.baseline ? [{ name: "baseline", path: args.baseline }] : [])];

const work = mkdtempSync(join(tmpdir(), "husk-bench-cli-"));
const roots = (bin: string) => ["--root", join(work, bin, "run"), "--data-root", join(work, bin, "data")];
// Each round creates one volume, lists, inspects and removes it: the state stays small.
const COMMANDS: { name: string; argv: (round: number) => string[] }[] = [
  { name: "--version", argv: () => ["--version"] },
  { name: "volume create", argv: (i) => ["volume", "create", "%roots", `v${i}`] },
  { name: "volume ls", argv: () => ["volume", "ls", "%roots"] },
  { name: "volume inspect", argv: (i) => ["volume", "inspect", "%roots", `v${i}`] },
  { name: "volume rm", argv: (i) => ["volume", "rm", "%roots", `v${i}`] },
  { name: "network ls", argv: () => ["network", "ls", "%roots"] },
  { name: "plugin ls", argv: () => ["plugin", "ls", "%roots"] },
];

const wall = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
const load = new Map<string, number[]>();
const traced = (stderr: string, what: string) => Number(new RegExp(`husk-trace ([0-9.]+)ms ${what}`).exec(stderr)?.[1] ?? NaN);
const push = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);

try {
  for (let round = -3; round < args.runs; round++) {
    for (const cmd of COMMANDS) {
      // Bins alternate per round; volume commands keep their order within a round.
      for (const bin of rotated(bins, round + 3)) {
        const argv = [bin.path, ...cmd.argv(round + 3).flatMap((a) => (a === "%roots" ? roots(bin.name) : [a]))];
        const t0 = performance.now();
        const r = Bun.spawnSync(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, HUSK_TRACE: "1" } });
        const ms = performance.now() - t0;
        if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: exit ${r.exitCode}: ${r.stderr.toString().trim()}`);
        if (round < 0) continue; // warm-up
        const key = `${bin.name} ${cmd.name}`;
        push(wall, key, ms);
        const use = r.resourceUsage?.cpuTime;
        if (use) push(cpu, key, Number(use.user + use.system) / 1000); // µs
        const err = r.stderr.toString();
        push(load, key, traced(err, "command loaded") - traced(err, "modules loaded"));
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const table = [["command", ...bins.flatMap((b) => [`${b.name} wall ms`, `${b.name} cpu ms`, `${b.name} load ms`])]];
for (const cmd of COMMANDS) {
  const of = (m: Map<string, number[]>, b: string) => median((m.get(`${b} ${cmd.name}`) ?? []).filter((x) => !Number.isNaN(x)));
  const cells = bins.flatMap((b) => [of(wall, b.name), of(cpu, b.name), of(load, b.name)].map((x) => x.toFixed(2)));
  table.push([cmd.name, ...cells]);
}
console.log(`median of ${args.runs} runs each (after 3 warm-up rounds)`);
printColumns(table);
