// push: `husk image push` against `skopeo copy` of the same image to the same kind of
// registry (Debian docker-registry on 127.0.0.1), each push into a registry of its own so
// that nothing is there before, alternating, and the ratio printed.
//
//   node_modules/.bin/bun run build
//   node_modules/.bin/bun bench/push.ts [--runs 3] [--mb 120] [--layers 3]
//
// The image: `--layers` layers of incompressible data (`--mb` in all, gzip-wrapped), made
// once into an OCI layout, loaded into a husk store (husk pushes from its store) and read by
// skopeo straight from the layout.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Of } from "../src/image/content-store.ts";
import { huskBin } from "../test/helpers/husk.ts";
import { MT, buildImage, ensureDockerRegistry, startRegistry } from "../test/helpers/registry.ts";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg("runs", 3);
const totalMb = arg("mb", 120);
const nLayers = arg("layers", 3);

const found = ensureDockerRegistry();
if ("skip" in found) throw new Error(found.skip);
const work = mkdtempSync("/tmp/husk-bench-push-");
try {
  const layers: Uint8Array[] = [];
  for (let i = 0; i < nLayers; i++) {
    const raw = new Uint8Array(Math.floor((totalMb * 1e6) / nLayers));
    for (let off = 0; off < raw.length; off += 65536) crypto.getRandomValues(raw.subarray(off, Math.min(raw.length, off + 65536)));
    // A tar of one file, so the layer unpacks on load.
    const dir = join(work, `l${i}`);
    mkdirSync(dir);
    writeFileSync(join(dir, `data${i}`), raw);
    const r = spawnSync("tar", ["-czf", join(work, `l${i}.tgz`), "-C", dir, "."]);
    if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
    layers.push(new Uint8Array(await Bun.file(join(work, `l${i}.tgz`)).arrayBuffer()));
  }
  const img = buildImage({ layers });
  const layout = join(work, "layout");
  mkdirSync(join(layout, "blobs/sha256"), { recursive: true });
  for (const b of [img.config, ...img.layers, img.manifest]) writeFileSync(join(layout, "blobs/sha256", sha256Of(b).slice(7)), b);
  writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(layout, "index.json"),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MT.ociManifest, digest: img.manifestDigest, size: img.manifest.length, annotations: { "org.opencontainers.image.ref.name": "bench/push:1" } }] }),
  );
  const data = join(work, "data");
  const load = spawnSync(huskBin(), ["image", "load", "--data-root", data, "-i", layout], { encoding: "utf8" });
  if (load.status !== 0) throw new Error(`husk image load: ${load.stderr}`);
  const size = layers.reduce((a, l) => a + l.length, 0);
  console.log(`image: ${nLayers} layers, ${(size / 1e6).toFixed(1)} MB compressed`);

  const times: Record<"husk" | "skopeo", number[]> = { husk: [], skopeo: [] };
  for (let i = 0; i < runs; i++) {
    for (const who of ["husk", "skopeo"] as const) {
      const reg = await startRegistry({ bin: found.bin });
      try {
        const cmd =
          who === "husk"
            ? [huskBin(), "image", "push", "--data-root", data, "-q", "docker.io/bench/push:1", `${reg.host}/bench/push:1`]
            : ["skopeo", "copy", "-q", "--dest-tls-verify=false", `oci:${layout}:bench/push:1`, `docker://${reg.host}/bench/push:1`];
        const t0 = performance.now();
        const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8" });
        const ms = performance.now() - t0;
        if (r.status !== 0) throw new Error(`${who}: ${r.stderr}`);
        times[who].push(ms);
      } finally {
        await reg.stop();
      }
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const h = median(times.husk);
  const s = median(times.skopeo);
  console.log(`husk push   median ${h.toFixed(0)} ms  (${times.husk.map((t) => t.toFixed(0)).join(", ")})`);
  console.log(`skopeo copy median ${s.toFixed(0)} ms  (${times.skopeo.map((t) => t.toFixed(0)).join(", ")})`);
  console.log(`ratio husk/skopeo: ${(h / s).toFixed(2)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
