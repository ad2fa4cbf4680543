// OCI `run` wall time: husk vs crun vs runc, side by side in one process.
//
//   node_modules/.bin/bun bench/oci-run.ts [--runs N] [--warmup N] [--husk dist/husk] [--out DIR]
//
// Every runtime runs the same busybox bundle (`true`; pid, ipc, uts, mount and network
// namespaces; /proc /dev /dev/pts /dev/shm /dev/mqueue /sys; a cgroupsPath below this
// process's own cgroup) as `<runtime> --root <tmp> run --bundle <bundle> <id>`. Runs are
// interleaved (one of each runtime per round, the order rotating every round) so that
// drift on the host hits all runtimes alike. crun 1.8 refuses this host's hybrid cgroup
// layout, so it runs through a private-mount-namespace wrapper (unshare + sh); the
// wrapper's own cost is measured with `true` and subtracted for the "crun (net)" row.
// See bench/README.md.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ensureBusyboxRootfs, makeBundle, ociSpec, REPO_ROOT } from "../test/fixtures/busybox-rootfs.ts";
import { inPrivateCgroupView, ownCgroupParent, removeTestCgroups } from "../test/helpers/cgroup.ts";
import { findLeaks, snapshotHost } from "../test/helpers/leaks.ts";
import { firstLine, type Stats, stats } from "./lib.ts";

interface Args {
  runs: number;
  warmup: number;
  husk: string;
  /** Another husk build measured in the same rounds ("husk-baseline"), for before/after. */
  baseline?: string;
  out: string;
}

function usage(msg?: string): never {
  if (msg) console.error(`oci-run: ${msg}`);
  console.error("usage: bun bench/oci-run.ts [--runs N (30)] [--warmup N (3)] [--husk PATH (dist/husk)] [--baseline PATH] [--out DIR (bench/results)]");
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 30, warmup: 3, husk: join(REPO_ROOT, "dist", "husk"), out: join(REPO_ROOT, "bench", "results") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v;
    };
    const count = (min: number): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) usage(`${flag}: ${JSON.stringify(v)} is not an integer >= ${min}`);
      return n;
    };
    switch (flag) {
      case "--runs":
        args.runs = count(1);
        break;
      case "--warmup":
        args.warmup = count(0);
        break;
      case "--husk":
        args.husk = resolve(value());
        break;
      case "--out":
        args.out = resolve(value());
        break;
      case "--baseline":
        args.baseline = resolve(value());
        break;
      case "-h":
      case "--help":
        usage();
      default:
        usage(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  return args;
}

interface Contender {
  name: string;
  /** Why it is not measured (binary missing, first run failed, ...). */
  missing?: string;
  /** argv for one run of container `id`; the wrapper row ignores the id. */
  command: (id: string) => string[];
  root?: string;
  samples: number[];
  failures: number;
  lastError?: string;
}

/** Run once, return wall ms, or an error string. */
function timeOnce(argv: string[]): number | string {
  const t0 = performance.now();
  const r = Bun.spawnSync(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 60_000, killSignal: "SIGKILL" });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) {
    const err = r.stderr.toString().trim().split("\n").slice(-3).join(" | ");
    return `exit ${r.exitCode ?? r.signalCode}: ${err || r.stdout.toString().trim() || "(no output)"}`;
  }
  return ms;
}

const fmt = (ms: number | undefined) => (ms === undefined ? "-" : ms.toFixed(2));

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) usage("must run as root (containers with namespaces and cgroups)");

  const rootfs = await ensureBusyboxRootfs();
  const work = mkdtempSync(join(tmpdir(), "husk-bench-"));
  const cgName = "bench-oci-run";
  const cgroupsPath = ownCgroupParent(cgName);
  const bundle = makeBundle({
    rootfs,
    dir: join(work, "bundle"),
    config: ociSpec({ args: ["/bin/true"], cgroupsPath, namespaces: ["pid", "ipc", "uts", "mount", "network"] }),
  });
  const runId = `${process.pid}`;
  const makeRoot = (name: string) => {
    const dir = `/run/husk-test-${process.pid}-bench-${name}`;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  };
  const snapshot = snapshotHost({ paths: [work] });

  const contenders: Contender[] = [];
  const add = (c: Omit<Contender, "samples" | "failures">) => contenders.push({ ...c, samples: [], failures: 0 });

  if (existsSync(args.husk)) {
    const root = makeRoot("husk");
    add({ name: "husk", root, command: (id) => [args.husk, "oci", "--root", root, "run", "--bundle", bundle, id] });
  } else {
    add({ name: "husk", missing: `${args.husk} not found (build it: node_modules/.bin/bun run build)`, command: () => [] });
  }
  if (args.baseline) {
    const root = makeRoot("husk-baseline");
    add({ name: "husk-baseline", root, command: (id) => [args.baseline!, "oci", "--root", root, "run", "--bundle", bundle, id] });
  }
  if (Bun.which("crun")) {
    const root = makeRoot("crun");
    add({ name: "crun", root, command: (id) => inPrivateCgroupView(["crun", "--root", root, "run", "--bundle", bundle, id]) });
    add({ name: "crun-wrapper", command: () => inPrivateCgroupView(["true"]) });
  } else {
    add({ name: "crun", missing: "crun not installed", command: () => [] });
  }
  if (Bun.which("runc")) {
    const root = makeRoot("runc");
    add({ name: "runc", root, command: (id) => ["runc", "--root", root, "run", "--bundle", bundle, id] });
  } else {
    add({ name: "runc", missing: "runc not installed", command: () => [] });
  }
  // Bun's own spawn + wait cost, for reference: it is part of every row.
  add({ name: "spawn-true", command: () => ["true"] });

  const active = () => contenders.filter((c) => !c.missing);
  let seq = 0;
  const runRound = (measure: boolean, round: number) => {
    const list = active();
    const rot = list.length > 0 ? round % list.length : 0;
    const order = [...list.slice(rot), ...list.slice(0, rot)];
    for (const c of order) {
      if (c.missing) continue;
      const id = `bench-${c.name}-${runId}-${seq++}`;
      const r = timeOnce(c.command(id));
      if (typeof r === "string") {
        c.failures++;
        c.lastError = r;
        // A runtime that fails its warm-up (or keeps failing) is taken out of the race.
        if (!measure || c.failures >= 3) c.missing = `failed: ${r}`;
      } else if (measure) {
        c.samples.push(r);
      }
    }
  };

  console.error(`oci-run: ${args.warmup} warm-up + ${args.runs} measured rounds of: ${active().map((c) => c.name).join(", ")}`);
  const started = new Date();
  for (let i = 0; i < args.warmup; i++) runRound(false, i);
  for (let i = 0; i < args.runs; i++) runRound(true, i);

  // ---- results
  const byName = new Map(contenders.map((c) => [c.name, c]));
  const st = new Map<string, Stats | undefined>(contenders.map((c) => [c.name, stats(c.samples)]));
  const wrapper = st.get("crun-wrapper");
  const crunRaw = byName.get("crun");
  if (crunRaw && !crunRaw.missing && wrapper) {
    const offset = wrapper.median;
    st.set("crun (net)", stats(crunRaw.samples.map((x) => x - offset)));
  }
  const ratio = (a: string, b: string) => {
    const x = st.get(a);
    const y = st.get(b);
    if (!x || !y) return undefined;
    return { mean: x.mean / y.mean, median: x.median / y.median, min: x.min / y.min };
  };
  const ratios = {
    "husk/crun": ratio("husk", "crun (net)"),
    "husk/runc": ratio("husk", "runc"),
    "crun/runc": ratio("crun (net)", "runc"),
    ...(args.baseline ? { "husk/baseline": ratio("husk", "husk-baseline"), "baseline/crun": ratio("husk-baseline", "crun (net)") } : {}),
  };

  const rows = ["husk", ...(args.baseline ? ["husk-baseline"] : []), "crun", "crun-wrapper", "crun (net)", "runc", "spawn-true"];
  const header = ["runtime", "n", "mean ms", "median ms", "p90 ms", "min ms", "max ms", "sd ms"];
  const table: string[][] = [header];
  const missingLines: string[] = [];
  for (const name of rows) {
    const s = st.get(name);
    const c = byName.get(name);
    if (!s) {
      if (c?.missing) missingLines.push(`${name}: missing (${c.missing})`);
      continue;
    }
    table.push([name, String(s.n), fmt(s.mean), fmt(s.median), fmt(s.p90), fmt(s.min), fmt(s.max), fmt(s.stddev)]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  for (const r of table) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "));
  for (const l of missingLines) console.log(l);
  console.log("");
  for (const [k, v] of Object.entries(ratios)) {
    console.log(`${k.padEnd(10)} ${v ? `mean ${v.mean.toFixed(2)}x  median ${v.median.toFixed(2)}x  min ${v.min.toFixed(2)}x` : "n/a"}`);
  }
  console.log("targets: husk/crun <= 1.25x, husk/runc <= 0.50x (see bench/README.md)");
  console.log(`load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} (cpus: ${navigator.hardwareConcurrency})`);

  // ---- cleanup (before writing results, so leaks can be reported in them)
  const leftovers: string[] = [];
  for (const c of contenders) {
    if (!c.root || !existsSync(c.root)) continue;
    for (const id of readdirSync(c.root)) leftovers.push(`${c.name} state left: ${join(c.root, id)}`);
    rmSync(c.root, { recursive: true, force: true });
  }
  try {
    removeTestCgroups(cgName);
  } catch (err) {
    leftovers.push(String(err));
  }
  rmSync(work, { recursive: true, force: true });
  leftovers.push(...findLeaks(snapshot, { paths: [work] }));
  for (const l of leftovers) console.error(`oci-run: LEFT BEHIND: ${l}`);

  const result = {
    benchmark: "oci-run",
    date: started.toISOString(),
    host: {
      kernel: firstLine(["uname", "-r"]),
      cpus: navigator.hardwareConcurrency,
      cgroups: existsSync("/sys/fs/cgroup/unified") ? "hybrid" : existsSync("/sys/fs/cgroup/cgroup.controllers") ? "v2" : "v1",
    },
    versions: {
      husk: existsSync(args.husk) ? (firstLine([args.husk, "--version"]) ?? "unknown") : null,
      crun: Bun.which("crun") ? firstLine(["crun", "--version"]) : null,
      runc: Bun.which("runc") ? firstLine(["runc", "--version"]) : null,
      bun: Bun.version,
    },
    config: {
      runs: args.runs,
      warmup: args.warmup,
      command: "/bin/true",
      namespaces: ["pid", "ipc", "uts", "mount", "network"],
      crunWrapper: "unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified; bind own cgroups; exec crun ...'",
      crunNet: "crun samples minus the crun-wrapper median",
    },
    runtimes: Object.fromEntries(
      rows.map((name) => {
        const c = byName.get(name);
        return [
          name,
          {
            missing: c?.missing ?? (st.get(name) ? null : "not measured"),
            failures: c?.failures ?? 0,
            lastError: c?.lastError ?? null,
            stats: st.get(name) ?? null,
            samples: name === "crun (net)" ? undefined : (c?.samples.map((x) => Number(x.toFixed(3))) ?? []),
          },
        ];
      }),
    ),
    ratios,
    targets: { "husk/crun": 1.25, "husk/runc": 0.5 },
    leftovers,
  };
  mkdirSync(args.out, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z");
  const file = join(args.out, `oci-run-${stamp}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`\nresults: ${file}`);
  if (leftovers.length > 0) process.exit(1);
}

await main();
