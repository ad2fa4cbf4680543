// `husk run --rm --network none IMAGE true` beside `podman run --rm --network none` with
// crun and with runc, and the same on each one's default network (husk's bridge husk0,
// podman's netavark bridge), side by side in one process, ratios printed; then traced husk
// runs to show where its time goes.
//
// The default-network cases run inside a network namespace made for the bench
// (nsenter --net), for husk and podman alike, so neither bridge nor firewall rules land
// in the host's namespace; the nsenter cost ("nsenter") is measured and subtracted.
//
//   sudo node_modules/.bin/bun bench/engine-run.ts [--runs N (15)] [--warmup N (2)] [--husk dist/husk] [--baseline PATH] [--no-podman]
//
// --baseline adds another husk build to the same rounds ("husk-baseline"), for before/after;
// --no-podman measures husk alone (quicker when only husk changed).
//
// Everyone runs the same busybox image: husk from an OCI layout loaded with `husk image
// load`, podman from `podman import` of the same rootfs, in a private store. podman gets
// the flags this host needs (cgroupfs, file events, ulimits within the hard limits).
// crun 1.8 refuses the hybrid cgroup layout, so podman+crun runs through the
// private-mount-namespace wrapper; its cost ("wrapper") is measured and subtracted.
import { existsSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureBusyboxRootfs, REPO_ROOT } from "../test/fixtures/busybox-rootfs.ts";
import { inPrivateCgroupView, ownCgroupParent, removeTestCgroups } from "../test/helpers/cgroup.ts";
import { findLeaks, snapshotHost } from "../test/helpers/leaks.ts";
import { busyboxLayout } from "../test/e2e/support/engine.ts";

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const runs = Number(opt("--runs", "15"));
const warmup = Number(opt("--warmup", "2"));
const husk = resolve(opt("--husk", join(REPO_ROOT, "dist", "husk")));
const baseline = argv.includes("--baseline") ? resolve(opt("--baseline", "")) : undefined;
if (process.getuid?.() !== 0) throw new Error("engine-run: run as root");

const IMAGE = "localhost/husk-bench/busybox:1";
const work = mkdtempSync("/var/tmp/husk-bench-engine-");
const root = `/run/husk-test-${process.pid}-bench-engine`;
const dataRoot = join(work, "husk-data");
const store = join(work, "podman");
const cgName = "bench-engine-run";
const snapshot = snapshotHost({ paths: [work] });

const sh = (cmd: string[]) => {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString().trim()}`);
  return r.stdout.toString();
};
const podman = (runtime: string) => [
  "podman", "--root", `${store}/root`, "--runroot", `${store}/run`, "--runtime", runtime, "--cgroup-manager=cgroupfs", "--events-backend=file",
];
const podmanRun = (runtime: string, net = ["--network", "none"]) => [...podman(runtime), "run", "--rm", ...net, "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=1000:1000", IMAGE, "true"];
const netnsName = `husk-test-${process.pid}-bench-net`;
sh(["ip", "netns", "add", netnsName]);
sh(["ip", "netns", "exec", netnsName, "ip", "link", "set", "lo", "up"]);
const inNetns = (cmd: string[]) => ["nsenter", `--net=/run/netns/${netnsName}`, "--", ...cmd];

// ---- set-up: the same image for everyone
const rootfs = await ensureBusyboxRootfs();
const layout = join(work, "layout");
await busyboxLayout(layout, IMAGE, { Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["/bin/sh"] });
sh([husk, "image", "load", "--data-root", dataRoot, "-i", layout]);
sh(["tar", "-C", rootfs, "-cf", join(work, "bb.tar"), "."]);
const havePodman = !!Bun.which("podman") && !argv.includes("--no-podman");
if (havePodman) sh([...podman("runc"), "import", join(work, "bb.tar"), IMAGE]);

interface Row { name: string; cmd: string[]; samples: number[]; error?: string }
const rows: Row[] = [
  { name: "husk", cmd: [husk, "run", "--root", root, "--data-root", dataRoot, "--rm", "--network", "none", "--cgroup-parent", ownCgroupParent(cgName), IMAGE, "true"], samples: [] },
  { name: "husk bridge", cmd: inNetns([husk, "run", "--root", root, "--data-root", dataRoot, "--rm", "--cgroup-parent", ownCgroupParent(cgName), IMAGE, "true"]), samples: [] },
  { name: "nsenter", cmd: inNetns(["true"]), samples: [] },
  // The same data root (the image), its own live root.
  ...(baseline
    ? [{ name: "husk-baseline", cmd: [baseline, "run", "--root", `${root}-baseline`, "--data-root", dataRoot, "--rm", "--network", "none", "--cgroup-parent", ownCgroupParent(cgName), IMAGE, "true"], samples: [] }]
    : []),
  ...(havePodman
    ? [
        { name: "podman+crun", cmd: inPrivateCgroupView(podmanRun("crun")), samples: [] },
        { name: "podman+runc", cmd: podmanRun("runc"), samples: [] },
        { name: "podman+crun bridge", cmd: inNetns(inPrivateCgroupView(podmanRun("crun", []))), samples: [] },
        { name: "podman+runc bridge", cmd: inNetns(podmanRun("runc", [])), samples: [] },
        { name: "wrapper", cmd: inPrivateCgroupView(["true"]), samples: [] },
      ]
    : []),
];
const once = (r: Row): number | undefined => {
  const t0 = performance.now();
  const p = Bun.spawnSync(r.cmd, { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 120_000 });
  const ms = performance.now() - t0;
  if (p.exitCode === 0) return ms;
  r.error = p.stderr.toString().trim().split("\n").slice(-2).join(" | ");
  return undefined;
};
for (let round = 0; round < warmup + runs; round++) {
  const order = [...rows.slice(round % rows.length), ...rows.slice(0, round % rows.length)];
  for (const r of order) {
    if (r.error) continue;
    const ms = once(r);
    if (ms !== undefined && round >= warmup) r.samples.push(ms);
  }
}

// ---- results
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
const med = new Map(rows.map((r) => [r.name, median(r.samples)]));
const wrapper = med.get("wrapper") ?? 0;
const nsenter = med.get("nsenter") ?? 0;
if (med.has("podman+crun")) med.set("podman+crun (net)", med.get("podman+crun")! - wrapper);
if (med.has("podman+crun bridge")) med.set("podman+crun bridge (net)", med.get("podman+crun bridge")! - wrapper - nsenter);
if (med.has("podman+runc bridge")) med.set("podman+runc bridge (net)", med.get("podman+runc bridge")! - nsenter);
med.set("husk bridge (net)", med.get("husk bridge")! - nsenter);
const p25 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 4)] ?? NaN;
console.log(`load average at the end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} (cpus: ${navigator.hardwareConcurrency})`);
console.log("contender            n   median ms   p25 ms   min ms");
for (const r of rows) {
  if (r.error && !r.samples.length) console.log(`${r.name.padEnd(20)} failed: ${r.error}`);
  else console.log(`${r.name.padEnd(20)} ${String(r.samples.length).padStart(2)}  ${med.get(r.name)!.toFixed(1).padStart(9)}  ${p25(r.samples).toFixed(1).padStart(7)}  ${Math.min(...r.samples).toFixed(1).padStart(7)}`);
}
for (const k of ["podman+crun (net)", "husk bridge (net)", "podman+crun bridge (net)", "podman+runc bridge (net)"])
  if (med.has(k)) console.log(`${k.padEnd(24)} ${med.get(k)!.toFixed(1).padStart(9)}`);
const h = med.get("husk")!;
console.log("--network none:");
for (const peer of ["podman+crun (net)", "podman+runc", "husk-baseline"])
  if (med.has(peer)) console.log(`  husk / ${peer}: ${(h / med.get(peer)!).toFixed(3)}x`);
console.log("default network (husk bridge vs podman's bridge):");
const hb = med.get("husk bridge (net)")!;
for (const peer of ["podman+crun bridge (net)", "podman+runc bridge (net)"])
  if (med.has(peer)) console.log(`  husk / ${peer}: ${(hb / med.get(peer)!).toFixed(3)}x`);
console.log("target: husk <= 0.2x podman+crun (aim 0.1x)");

// ---- where husk's time goes: one traced run per network
for (const row of rows.slice(0, 2)) {
  const at = row.cmd.indexOf("run") + 1;
  const traced = Bun.spawnSync([...row.cmd.slice(0, at), "--debug", ...row.cmd.slice(at)], { stdout: "pipe", stderr: "pipe", env: { ...process.env, HUSK_TRACE: "1" } });
  console.log(`\none traced ${row.name} run (ms since process start):`);
  for (const l of traced.stderr.toString().split("\n")) if (l.startsWith("husk-trace")) console.log(`  ${l}`);
}

// ---- clean-up and leak check
if (havePodman) Bun.spawnSync([...podman("runc"), "rmi", "-af"]);
Bun.spawnSync(["sh", "-c", `grep -o ' ${store}[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l`]);
rmSync(work, { recursive: true, force: true });
rmSync(root, { recursive: true, force: true });
// The bridges (husk0, podman0), their veths and firewall rules go with the namespace.
Bun.spawnSync(["ip", "netns", "del", netnsName]);
rmSync(`${root}-baseline`, { recursive: true, force: true });
removeTestCgroups(cgName);
// podman (cgroupfs manager) leaves an empty libpod_parent/conmon tree in each hierarchy.
for (const l of findLeaks(snapshot, { paths: [work] }).sort().reverse()) {
  const m = /^cgroup: (.*\/libpod_parent(\/conmon)?)$/.exec(l);
  if (m) {
    try {
      rmdirSync(m[1]!);
    } catch {}
  }
}
let leaks = findLeaks(snapshot, { paths: [work] });
// Monitors exit right after their ack; give the kernel a moment to reap.
for (let i = 0; i < 30 && leaks.length; i++) {
  Bun.sleepSync(100);
  leaks = findLeaks(snapshot, { paths: [work] });
}
for (const l of leaks) console.error(`engine-run: LEFT BEHIND: ${l}`);
if (!existsSync(husk) || leaks.length) process.exit(1);
