// Memory per detached container: husk's `husk-core monitor` beside podman's conmon.
// Starts N detached `sleep` containers with each, reads VmRSS (and Pss from smaps_rollup,
// which shares the static text fairly) of every monitor process, prints medians and the
// ratio, then removes everything.
//
//   sudo node_modules/.bin/bun bench/monitor-rss.ts [--containers N (5)] [--husk dist/husk]
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureBusyboxRootfs, REPO_ROOT } from "../test/fixtures/busybox-rootfs.ts";
import { ownCgroupParent, removeTestCgroups } from "../test/helpers/cgroup.ts";
import { busyboxLayout } from "../test/e2e/support/engine.ts";
import { podmanCgroups, removePodmanCgroups } from "../test/helpers/podman.ts";
import { PODMAN_ULIMITS, podmanArgv } from "../test/helpers/podman.ts";
import { median, parseFlags, requireRoot, sh } from "./lib.ts";

const { containers: count, husk } = parseFlags("monitor-rss", {
  containers: { kind: "count", default: 5, min: 1 },
  husk: { kind: "path", default: join(REPO_ROOT, "dist", "husk") },
});
requireRoot("monitor-rss", "containers with namespaces and cgroups");

const IMAGE = "localhost/husk-bench/busybox:1";
const work = mkdtempSync("/var/tmp/husk-bench-rss-");
const root = `/run/husk-test-${process.pid}-bench-rss`;
const dataRoot = join(work, "husk-data");
const store = join(work, "podman");
const cgName = "bench-monitor-rss";
const podmanCgroupsBefore = podmanCgroups();

const podman = podmanArgv(store, { runtime: "runc" });
const huskCmd = (verb: string, ...rest: string[]) => [husk, verb, "--root", root, "--data-root", dataRoot, ...rest];

/** kB figures of one process: VmRSS from status, Pss from smaps_rollup. */
function memoryOf(pid: number): { rss: number; pss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { rss: field(status, "VmRSS"), pss: field(rollup, "Pss") };
}

/** Pids whose comm is `comm` and whose command line mentions `marker`. */
function pidsOf(comm: string, marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, "utf8").trim() !== comm) continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      const environ = comm === "husk-core" ? readFileSync(`/proc/${name}/environ`, "utf8") : "";
      if (cmdline.includes(marker) || environ.includes(marker)) out.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

let huskPids: number[] = [];
let conmonPids: number[] = [];
try {
  const layout = join(work, "layout");
  await busyboxLayout(layout, IMAGE, { Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["/bin/sh"] });
  sh([husk, "image", "load", "--data-root", dataRoot, "-i", layout]);
  const havePodman = !!Bun.which("podman");
  if (havePodman) {
    sh(["tar", "-C", await ensureBusyboxRootfs(), "-cf", join(work, "bb.tar"), "."]);
    sh([...podman, "import", join(work, "bb.tar"), IMAGE]);
  }
  for (let i = 0; i < count; i++) {
    sh(huskCmd("run", "-d", "--network", "none", "--cgroup-parent", ownCgroupParent(cgName), IMAGE, "sleep", "600"));
    if (havePodman)
      sh([...podman, "run", "-d", "--network", "none", ...PODMAN_ULIMITS, IMAGE, "sleep", "600"]);
  }
  // Monitors carry the root in their plan, not their argv: find them by their children.
  const containerPids = sh(huskCmd("ps", "-q", "--no-trunc")).split("\n").filter(Boolean)
    .map((id) => JSON.parse(sh(huskCmd("inspect", id)))[0]?.State?.Pid as number);
  huskPids = containerPids.map((pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  });
  conmonPids = havePodman ? pidsOf("conmon", store) : [];
  const h = huskPids.map(memoryOf);
  const c = conmonPids.map(memoryOf);
  const line = (name: string, xs: { rss: number; pss: number }[]) =>
    `${name.padEnd(14)} n=${String(xs.length).padEnd(3)} RSS median ${median(xs.map((x) => x.rss))} kB  PSS median ${median(xs.map((x) => x.pss))} kB`;
  console.log(line("husk monitor", h));
  if (c.length) {
    console.log(line("conmon", c));
    console.log(`ratio husk/conmon: RSS ${(median(h.map((x) => x.rss)) / median(c.map((x) => x.rss))).toFixed(2)}x, PSS ${(median(h.map((x) => x.pss)) / median(c.map((x) => x.pss))).toFixed(2)}x`);
  }
} finally {
  const ids = Bun.spawnSync(huskCmd("ps", "-aq", "--no-trunc")).stdout.toString().split("\n").filter(Boolean);
  if (ids.length) Bun.spawnSync(huskCmd("rm", "-f", ...ids));
  if (Bun.which("podman")) {
    Bun.spawnSync([...podman, "rm", "-af", "-t", "0"], { stdout: "ignore", stderr: "ignore" });
    Bun.spawnSync([...podman, "system", "reset", "-f"], { stdout: "ignore", stderr: "ignore" });
  }
  removeTestCgroups(cgName);
  removePodmanCgroups(podmanCgroupsBefore);
  rmSync(work, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
}
