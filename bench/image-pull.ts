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
import { join } from "node:path";
import { REPO_ROOT } from "../test/fixtures/busybox-rootfs.ts";
import { findLeaks, snapshotHost } from "../test/helpers/leaks.ts";
import { unmountBelow } from "../test/helpers/podman.ts";
import { ensureDockerRegistry, pushBlob, pushManifest, startRegistry } from "../test/helpers/registry.ts";
import { ensureBenchImage } from "./image-pull-fixture.ts";
import { firstLine, parseFlags, printColumns, requireRoot, rotated, type Stats, stats, stamp, timeOnce } from "./lib.ts";

const FLAGS = {
  runs: { kind: "count", default: 5, min: 1 },
  warmup: { kind: "count", default: 1 },
  husk: { kind: "path", default: join(REPO_ROOT, "dist", "husk") },
  cache: { kind: "path", default: join(REPO_ROOT, ".cache", "bench") },
  out: { kind: "path", default: join(REPO_ROOT, "bench", "results") },
  only: { kind: "list" },
} as const;

/** Run once; wall ms, or throw with the tail of stderr. */
function timeOrThrow(argv: string[]): number {
  const r = timeOnce(argv, { timeoutMs: 300_000 });
  if (typeof r === "string") throw new Error(r);
  return r;
}

const SAMPLE_NAMES = ["husk", "skopeo-copy", "umoci-unpack", "skopeo+umoci", "podman"] as const;
type SampleName = (typeof SAMPLE_NAMES)[number];

async function main() {
  const args = parseFlags("image-pull", FLAGS);
  requireRoot("image-pull", "ownership, device nodes and podman's store");
  const want = (name: string) => !args.only || args.only.includes(name);
  const have = {
    husk: existsSync(args.husk) ? null : `${args.husk} not found (node_modules/.bin/bun run build)`,
    skopeo: Bun.which("skopeo") && Bun.which("umoci") ? null : "skopeo or umoci not installed (apt-get install skopeo umoci)",
    podman: Bun.which("podman") ? null : "podman not installed",
  };
  const registryBin = ensureDockerRegistry();
  if ("skip" in registryBin) {
    console.error(`image-pull: ${registryBin.skip}`);
    process.exit(2);
  }

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
          const ms = timeOrThrow([args.husk, "image", "pull", "--data-root", join(dir, "data"), "-q", ref]);
          if (measure) samples.husk.push(ms);
        },
      });
    }
    if (want("skopeo") && !have.skopeo) {
      runners.push({
        name: "skopeo+umoci",
        run(dir, measure) {
          const copy = timeOrThrow(["skopeo", "copy", "-q", "--src-tls-verify=false", `docker://${ref}`, `oci:${join(dir, "oci")}:bench`]);
          const unpack = timeOrThrow(["umoci", "unpack", "--image", `${join(dir, "oci")}:bench`, join(dir, "bundle")]);
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
          const ms = timeOrThrow([
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
      for (const r of rotated(runners, round)) {
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
  printColumns(table);
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
  const file = join(args.out, `image-pull-${stamp(started)}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`\nresults: ${file}`);
  if (leftovers.some((l) => !l.includes("(unmounted)"))) process.exit(1);
}

await main();
