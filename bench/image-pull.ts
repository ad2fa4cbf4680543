// Image pull wall time: husk vs skopeo copy + umoci unpack vs podman pull, side by side.
//
//   node_modules/.bin/bun bench/image-pull.ts [--runs N] [--warmup N] [--husk dist/husk] [--cache DIR] [--out DIR]
//
// The image (bench/image-pull-fixture.ts: busybox base + 3 layers of many mixed files,
// ~190 MB compressed) is built once into the cache and pushed to a Debian docker-registry
// started on 127.0.0.1 for this run. Each round then pulls it, cold (a fresh store), with:
//   husk     husk image pull --data-root <fresh> (download, verify, unpack every layer)
//   skopeo   skopeo copy docker://... oci:<fresh>         (download and verify only)
//   umoci    umoci unpack --image <that layout> <fresh>   (unpack only; timed apart)
//   podman   podman --root <fresh> ... pull                (download, verify, unpack)
// The order rotates every round. Nothing is deleted until the end: this VM is slow to
// create many files shortly after deleting many, which would punish whoever runs next.
// See bench/README.md.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../test/fixtures/busybox-rootfs.ts";
import { findLeaks, snapshotHost } from "../test/helpers/leaks.ts";
import { ensureDockerRegistry, pushBlob, pushManifest, startRegistry } from "../test/helpers/registry.ts";
import { ensureBenchImage } from "./image-pull-fixture.ts";

interface Args {
  runs: number;
  warmup: number;
  husk: string;
  cache: string;
  out: string;
  only?: string[];
}

function usage(msg?: string): never {
  if (msg) console.error(`image-pull: ${msg}`);
  console.error(
    "usage: bun bench/image-pull.ts [--runs N (5)] [--warmup N (1)] [--husk PATH (dist/husk)] [--cache DIR (.cache/bench)] [--out DIR (bench/results)] [--only husk,skopeo,podman]",
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 5, warmup: 1, husk: join(REPO_ROOT, "dist", "husk"), cache: join(REPO_ROOT, ".cache", "bench"), out: join(REPO_ROOT, "bench", "results") };
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
      case "--cache":
        args.cache = resolve(value());
        break;
      case "--out":
        args.out = resolve(value());
        break;
      case "--only":
        args.only = value().split(",");
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

interface Stats {
  n: number;
  median: number;
  mean: number;
  min: number;
  max: number;
  stddev: number;
}

function stats(samples: number[]): Stats | undefined {
  if (samples.length === 0) return undefined;
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  const stddev = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { n, median, mean, min: s[0]!, max: s[n - 1]!, stddev };
}

function firstLine(cmd: string[]): string | undefined {
  try {
    const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe", timeout: 10_000 });
    if (r.exitCode !== 0) return undefined;
    return r.stdout.toString().split("\n")[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Run once; wall ms, or throw with the tail of stderr. */
function timeOnce(argv: string[], env?: Record<string, string>): number {
  const t0 = performance.now();
  const r = Bun.spawnSync(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 300_000, killSignal: "SIGKILL", env: { ...process.env, ...env } });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) {
    const err = r.stderr.toString().trim().split("\n").slice(-3).join(" | ");
    throw new Error(`${argv[0]} exit ${r.exitCode ?? r.signalCode}: ${err || r.stdout.toString().trim() || "(no output)"}`);
  }
  return ms;
}

/** Mount points below `dir` (podman's overlay driver may leave some): unmounted, deepest first. */
function unmountBelow(dir: string): string[] {
  const points = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const p of points) Bun.spawnSync(["umount", "-l", p]);
  return points;
}

const SAMPLE_NAMES = ["husk", "skopeo-copy", "umoci-unpack", "skopeo+umoci", "podman"] as const;
type SampleName = (typeof SAMPLE_NAMES)[number];

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) usage("must run as root (ownership, device nodes and podman's store)");
  const want = (name: string) => !args.only || args.only.includes(name);
  const have = {
    husk: existsSync(args.husk) ? null : `${args.husk} not found (node_modules/.bin/bun run build)`,
    skopeo: Bun.which("skopeo") && Bun.which("umoci") ? null : "skopeo or umoci not installed (apt-get install skopeo umoci)",
    podman: Bun.which("podman") ? null : "podman not installed",
  };
  const registryBin = ensureDockerRegistry();
  if ("skip" in registryBin) usage(registryBin.skip);

  const log = (s: string) => console.error(`image-pull: ${s}`);
  const image = await ensureBenchImage(args.cache, log);
  log(`image: ${image.layers.length} layers, ${(image.compressedBytes / 1e6).toFixed(1)} MB compressed, ${(image.uncompressedBytes / 1e6).toFixed(1)} MB unpacked, ${image.layers.reduce((a, l) => a + l.files, 0)} files`);

  const work = mkdtempSync("/var/tmp/husk-bench-pull-");
  const snapshot = snapshotHost({ paths: [work] });
  const reg = await startRegistry({ bin: registryBin.bin });
  const leftovers: string[] = [];
  const samples: Record<SampleName, number[]> = { husk: [], "skopeo-copy": [], "umoci-unpack": [], "skopeo+umoci": [], podman: [] };
  const errors: Record<string, string> = {};
  const started = new Date();
  try {
    const repo = "bench/pull";
    log(`pushing to ${reg.host}/${repo}:1`);
    for (const d of [image.layers.map((l) => l.path), [join(image.layout, "blobs", "sha256", JSON.parse(new TextDecoder().decode(image.manifest)).config.digest.slice(7))]].flat()) {
      await pushBlob(reg, repo, new Uint8Array(readFileSync(d)));
    }
    await pushManifest(reg, repo, "1", image.manifest, "application/vnd.oci.image.manifest.v1+json");
    const ref = `${reg.host}/${repo}:1`;

    type Runner = { name: string; run: (dir: string, measure: boolean) => void };
    const runners: Runner[] = [];
    if (want("husk") && !have.husk) {
      runners.push({
        name: "husk",
        run(dir, measure) {
          const ms = timeOnce([args.husk, "image", "pull", "--data-root", join(dir, "data"), "-q", ref]);
          if (measure) samples.husk.push(ms);
        },
      });
    }
    if (want("skopeo") && !have.skopeo) {
      runners.push({
        name: "skopeo+umoci",
        run(dir, measure) {
          const copy = timeOnce(["skopeo", "copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `oci:${join(dir, "oci")}:bench`]);
          const unpack = timeOnce(["umoci", "unpack", "--image", `${join(dir, "oci")}:bench`, join(dir, "bundle")]);
          if (measure) {
            samples["skopeo-copy"].push(copy);
            samples["umoci-unpack"].push(unpack);
            samples["skopeo+umoci"].push(copy + unpack);
          }
        },
      });
    }
    if (want("podman") && !have.podman) {
      runners.push({
        name: "podman",
        run(dir, measure) {
          // A private store; flags from DESIGN.md (cgroupfs, file events).
          const ms = timeOnce([
            "podman",
            "--root", join(dir, "storage"),
            "--runroot", join(dir, "run"),
            "--tmpdir", join(dir, "tmp"),
            "--storage-driver", "overlay",
            "--cgroup-manager=cgroupfs",
            "--events-backend=file",
            "pull", "-q", "--tls-verify=false", ref,
          ]);
          if (measure) samples.podman.push(ms);
          const left = unmountBelow(dir);
          if (left.length) leftovers.push(...left.map((p) => `podman mount ${p} (unmounted)`));
        },
      });
    }
    log(`${args.warmup} warm-up + ${args.runs} measured rounds of: ${runners.map((r) => r.name).join(", ")}`);

    for (let round = 0; round < args.warmup + args.runs; round++) {
      const measure = round >= args.warmup;
      const rot = round % runners.length;
      for (const r of [...runners.slice(rot), ...runners.slice(0, rot)]) {
        if (errors[r.name]) continue;
        const dir = join(work, `round${round}-${r.name.replace("+", "-")}`);
        mkdirSync(dir);
        try {
          r.run(dir, measure);
        } catch (e) {
          errors[r.name] = (e as Error).message;
          log(`${r.name} failed, dropped: ${errors[r.name]}`);
        }
      }
      log(`round ${round + 1}/${args.warmup + args.runs}${measure ? "" : " (warm-up)"}: ${SAMPLE_NAMES.map((n) => `${n} ${samples[n].at(-1)?.toFixed(0) ?? "-"}`).join(", ")}`);
    }
  } finally {
    await reg.stop();
    // One removal at the very end, after every measurement.
    unmountBelow(work);
    const trash = `${work}.trash`;
    renameSync(work, trash);
    rmSync(trash, { recursive: true, force: true });
  }
  // Other engineers' tests run on this host too: only what names this run's dirs counts.
  leftovers.push(...findLeaks(snapshot, { paths: [work], settleMs: 0 }).filter((l) => l.includes(work)));

  // ---- results
  const st = Object.fromEntries(SAMPLE_NAMES.map((n) => [n, stats(samples[n])])) as Record<SampleName, Stats | undefined>;
  const ratio = (a: SampleName, b: SampleName) => {
    const x = st[a];
    const y = st[b];
    return x && y ? { median: x.median / y.median, min: x.min / y.min } : undefined;
  };
  const ratios = {
    "husk/podman": ratio("husk", "podman"),
    "husk/(skopeo+umoci)": ratio("husk", "skopeo+umoci"),
    "husk/skopeo-copy": ratio("husk", "skopeo-copy"),
  };
  const header = ["tool", "n", "median s", "min s", "max s", "sd s", "MB/s"];
  const table: string[][] = [header];
  const sec = (ms: number) => (ms / 1000).toFixed(2);
  for (const n of SAMPLE_NAMES) {
    const s = st[n];
    if (s) table.push([n, String(s.n), sec(s.median), sec(s.min), sec(s.max), sec(s.stddev), (image.compressedBytes / 1e6 / (s.median / 1000)).toFixed(0)]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length)));
  for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
  for (const [name, why] of Object.entries({ ...have, ...errors })) if (why) console.log(`${name}: missing (${why})`);
  console.log("");
  for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(20)} ${v ? `median ${v.median.toFixed(2)}x  min ${v.min.toFixed(2)}x` : "n/a"}`);
  console.log("target: husk/podman <= 0.65x (aim 0.40x); see bench/README.md");
  for (const l of leftovers) console.error(`image-pull: LEFT BEHIND: ${l}`);

  const result = {
    benchmark: "image-pull",
    date: started.toISOString(),
    host: { kernel: firstLine(["uname", "-r"]), cpus: navigator.hardwareConcurrency },
    versions: {
      husk: have.husk ? null : (firstLine([args.husk, "--version"]) ?? "unknown"),
      skopeo: firstLine(["skopeo", "--version"]) ?? null,
      umoci: firstLine(["umoci", "--version"]) ?? null,
      podman: firstLine(["podman", "--version"]) ?? null,
      bun: Bun.version,
    },
    image: { layers: image.layers.map(({ digest, size, files }) => ({ digest, size, files })), compressedBytes: image.compressedBytes, uncompressedBytes: image.uncompressedBytes },
    config: { runs: args.runs, warmup: args.warmup },
    stats: st,
    samples,
    ratios,
    targets: { "husk/podman": 0.65, aim: 0.4 },
    missing: { ...have, ...errors },
    leftovers,
  };
  mkdirSync(args.out, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z");
  const file = join(args.out, `image-pull-${stamp}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`\nresults: ${file}`);
  if (leftovers.some((l) => !l.includes("(unmounted)"))) process.exit(1);
}

await main();
