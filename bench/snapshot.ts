// Snapshot cost on `husk run`'s start and stop path: create (dirs + mount) , unmount and
// remove, for a 1-layer and a 10-layer image, per driver and overlay mount method. Also
// the price of durability that "volatile" saves: write+fsync of small files in the
// container's tree. Needs root.
//
//   sudo node_modules/.bin/bun bench/snapshot.ts [--runs 40] [--out bench/results]
//
// Layers: the busybox fixture rootfs (about 400 entries) as the base, plus 9 small layers
// (a few files and a whiteout each) for the 10-layer image. Rows are interleaved per
// round so that host noise spreads evenly.
import { cpSync, closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { addon } from "../src/native/addon.ts";
import { createSnapshot, removeSnapshot, type SnapshotOptions, unmountSnapshot } from "../src/storage/snapshot.ts";
import { readMounts } from "../src/storage/mountinfo.ts";
import { ensureBusyboxRootfs, REPO_ROOT } from "../test/fixtures/busybox-rootfs.ts";
import { parseFlags, percentile, requireRoot, rotated } from "./lib.ts";

const { runs, out: outDir } = parseFlags("snapshot", {
  runs: { kind: "count", default: 40, min: 1 },
  out: { kind: "path", default: join(REPO_ROOT, "bench", "results") },
});
requireRoot("snapshot", "it mounts overlays");

// On the root filesystem, where /var/lib/husk lives.
const base = mkdtempSync(`/var/tmp/husk-test-${process.pid}-bench-snap-`);
const dataRoot = join(base, "data");

async function makeLayers(): Promise<string[]> {
  const rootfs = await ensureBusyboxRootfs();
  const l0 = join(dataRoot, "layers", "l0", "diff");
  mkdirSync(join(dataRoot, "layers", "l0"), { recursive: true });
  cpSync(rootfs, l0, { recursive: true, verbatimSymlinks: true });
  const out = [l0];
  for (let i = 1; i < 10; i++) {
    const d = join(dataRoot, "layers", `l${i}`, "diff");
    mkdirSync(join(d, "etc"), { recursive: true });
    mkdirSync(join(d, `app${i}`));
    for (let f = 0; f < 5; f++) writeFileSync(join(d, `app${i}`, `f${f}`), `layer ${i} file ${f}\n`);
    writeFileSync(join(d, "etc", "motd"), `layer ${i}\n`);
    if (i > 1) {
      mkdirSync(join(d, `app${i - 1}`));
      addon().mknod(join(d, `app${i - 1}`, "f0"), "char", 0, 0, 0); // a whiteout of a lower file
    }
    out.push(d);
  }
  return out;
}

interface Row {
  name: string;
  layers: number;
  opts: SnapshotOptions;
  create: number[];
  unmount: number[];
  remove: number[];
}

const ms = (x: number) => x.toFixed(2).padStart(7);

let seq = 0;
const newId = () => (++seq).toString(16).padStart(64, "0");

function once(row: Row, layerDirs: string[]): void {
  const t0 = performance.now();
  const info = createSnapshot(dataRoot, newId(), layerDirs, row.opts);
  const t1 = performance.now();
  unmountSnapshot(info);
  const t2 = performance.now();
  removeSnapshot(info);
  const t3 = performance.now();
  row.create.push(t1 - t0);
  row.unmount.push(t2 - t1);
  row.remove.push(t3 - t2);
}

/** Write and fsync `n` 4 KiB files into a fresh snapshot's tree; returns ms. */
function fsyncWorkload(layerDirs: string[], opts: SnapshotOptions, n: number): number {
  const info = createSnapshot(dataRoot, newId(), layerDirs, opts);
  const buf = new Uint8Array(4096).fill(120);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const fd = openSync(join(info.mergedDir, `w${i}`), "w");
    writeSync(fd, buf);
    fsyncSync(fd);
    closeSync(fd);
  }
  const t = performance.now() - t0;
  removeSnapshot(info);
  return t;
}

const all = await makeLayers();
const rows: Row[] = [];
for (const n of [1, 10]) {
  const mk = (name: string, opts: SnapshotOptions): Row => ({ name, layers: n, opts, create: [], unmount: [], remove: [] });
  rows.push(mk("overlay lowerdir+", { driver: "overlay", mountMethod: "lowerdir+" }));
  rows.push(mk("overlay mount(2)", { driver: "overlay", mountMethod: "mount" }));
  rows.push(mk("overlay volatile", { driver: "overlay", ephemeral: true }));
  rows.push(mk("copy", { driver: "copy" }));
}
for (const r of rows) once(r, all.slice(0, r.layers)); // warm-up
for (const r of rows) r.create.length = r.unmount.length = r.remove.length = 0;
for (let i = 0; i < runs; i++) {
  for (const r of rotated(rows, i)) once(r, all.slice(0, r.layers));
}

console.log(`snapshot create+mount / unmount / remove, ms (median and p90 of ${runs} runs)`);
console.log(`${"driver".padEnd(20)} layers  create  (p90)  unmount  (p90)   remove  (p90)    total`);
for (const r of rows) {
  const total = r.create.map((c, i) => c + r.unmount[i]! + r.remove[i]!);
  console.log(
    `${r.name.padEnd(20)} ${String(r.layers).padStart(6)} ${ms(percentile(r.create, 50))} ${ms(percentile(r.create, 90))} ${ms(percentile(r.unmount, 50))} ${ms(percentile(r.unmount, 90))} ${ms(percentile(r.remove, 50))} ${ms(percentile(r.remove, 90))} ${ms(percentile(total, 50))}`,
  );
}

const fsyncRuns = 5;
const durable: number[] = [];
const vol: number[] = [];
for (let i = 0; i < fsyncRuns; i++) {
  durable.push(fsyncWorkload(all.slice(0, 1), { driver: "overlay" }, 200));
  vol.push(fsyncWorkload(all.slice(0, 1), { driver: "overlay", ephemeral: true }, 200));
}
console.log(`\nwrite+fsync of 200 x 4 KiB files in the container's tree, ms (median of ${fsyncRuns})`);
console.log(`overlay ${ms(percentile(durable, 50))}   overlay volatile ${ms(percentile(vol, 50))}   ratio ${(percentile(vol, 50) / percentile(durable, 50)).toFixed(2)}`);

const left = readMounts().filter((m) => m.mountPoint.startsWith(base));
// Move the tree aside before deleting: this VM is slow to create files soon after a big rm.
const aside = `${base}.old`;
renameSync(base, aside);
rmSync(aside, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `snapshot-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  JSON.stringify({ runs, rows: rows.map((r) => ({ name: r.name, layers: r.layers, create: r.create, unmount: r.unmount, remove: r.remove })), fsync: { durable, volatile: vol }, leftMounts: left.length }, null, 1),
);
console.log(`\nresults: ${file}`);
if (left.length > 0) {
  console.log(`LEFT BEHIND: ${left.map((m) => m.mountPoint).join(", ")}`);
  process.exit(1);
}
