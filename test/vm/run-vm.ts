// Boots the VM (test/vm/build-image.sh makes the kernel and initramfs) under qemu,
// captures the serial console, enforces a wall timeout and parses the TAP that the check
// script prints inside. The kernel command line picks the host's cgroup layout (one image
// for both, see test/vm/init2.sh):
//   v2  cgroup_no_v1=all, cgroup2 on /sys/fs/cgroup, test/vm/checks.sh
//   v1  husk.cgroup=v1, pure cgroup v1 (no cgroup2), test/vm/checks-v1.sh
//
//   node_modules/.bin/bun test/vm/run-vm.ts [v2|v1]   # build (cached), boot, print the console and a summary
//
// Environment:
//   HUSK_VM_ACCEL=auto|kvm|tcg   auto (default): kvm when /dev/kvm opens read-write and the
//                                CPU shows vmx/svm, else tcg (software); a kvm boot that
//                                crashes at once is retried with tcg
//   HUSK_VM_TIMEOUT_S=240        wall limit for boot + checks; qemu is killed after it
//   HUSK_BIN=path                husk executable for the image (default dist/husk)

import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dir, "..", "..");
export const VM_CACHE = join(REPO_ROOT, "test", ".fixtures", "vm");
const BUILD_SCRIPT = join(import.meta.dir, "build-image.sh");

export type CgroupLayout = "v2" | "v1";

/** The check script each layout runs (the one whose descriptions expectedChecks reads). */
export const CHECKS_SCRIPT: Record<CgroupLayout, string> = {
  v2: join(import.meta.dir, "checks.sh"),
  v1: join(import.meta.dir, "checks-v1.sh"),
};

/** The kernel command line of each layout; init2.sh reads husk.cgroup= from it. */
export function kernelCmdline(layout: CgroupLayout): string {
  const cgroup = layout === "v1" ? "husk.cgroup=v1" : "cgroup_no_v1=all";
  return `console=ttyS0 ${cgroup} panic=-1 quiet`;
}

export interface TapLine {
  n: number;
  ok: boolean;
  description: string;
  /** What follows " # " on the line: husk's message or what the cgroup files showed. */
  reason?: string;
}

export interface Tap {
  lines: TapLine[];
  /** N of the "1..N" plan line, when the VM got that far. */
  plan?: number;
}

export interface ImageResult {
  status: "ok" | "skip" | "error";
  /** build-image.sh's stderr (the reason, for skip and error). */
  message: string;
  kernel: string;
  initrd: string;
  ms: number;
}

export interface VmResult {
  /** The serial console, \r\n turned into \n. */
  console: string;
  tap: Tap;
  /** The init printed "# husk-vm: done" (the check script ran to its end). */
  done: boolean;
  timedOut: boolean;
  exitCode: number | null;
  /** Wall time from starting qemu until it exited. */
  ms: number;
  accel: string;
  /** Guest uptime (s) when the checks started and ended, from the console. */
  checksStartS?: number;
  checksEndS?: number;
  qemuStderr: string;
}

/** Build the image (cached: fast when nothing changed). Exit 77 from the script = skip. */
export function buildImage(env: Record<string, string | undefined> = process.env): ImageResult {
  const t0 = performance.now();
  const res = Bun.spawnSync(["bash", BUILD_SCRIPT], { env: { ...env }, stdout: "pipe", stderr: "pipe" });
  const out = res.stdout.toString();
  const kernel = /^kernel=(.*)$/m.exec(out)?.[1] ?? join(VM_CACHE, "vmlinuz");
  const initrd = /^initrd=(.*)$/m.exec(out)?.[1] ?? join(VM_CACHE, "initramfs.cpio.gz");
  const status = res.exitCode === 0 ? "ok" : res.exitCode === 77 ? "skip" : "error";
  return { status, message: res.stderr.toString().trim(), kernel, initrd, ms: performance.now() - t0 };
}

export function parseTap(text: string): Tap {
  const lines: TapLine[] = [];
  let plan: number | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const m = /^(not )?ok (\d+)(?: - )?(.*)$/.exec(line);
    if (m) {
      const rest = m[3] ?? "";
      const hash = rest.indexOf(" # ");
      lines.push({
        n: Number(m[2]),
        ok: !m[1],
        description: (hash >= 0 ? rest.slice(0, hash) : rest).trim(),
        reason: hash >= 0 ? rest.slice(hash + 3).trim() : undefined,
      });
      continue;
    }
    const p = /^1\.\.(\d+)$/.exec(line);
    if (p) plan = Number(p[1]);
  }
  return { lines, plan };
}

/**
 * The check descriptions a check script can print, in order, read from its source: the
 * first string argument of every `ok`, `notok` and `check` call ($PARENT is husk-vm).
 * `source` is the script's text (default: checks.sh, the v2 one).
 */
export function expectedChecks(source = readFileSync(CHECKS_SCRIPT.v2, "utf8")): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of source.matchAll(/^\s*(?:[^#\n]*?[;&|)]\s*)?(?:ok|notok|check)\s+"((?:[^"\\]|\\.)*)"/gm)) {
    const d = (m[1] ?? "").replace(/\\(.)/g, "$1").replaceAll("$PARENT", "husk-vm");
    if (!seen.has(d)) {
      seen.add(d);
      out.push(d);
    }
  }
  return out;
}

/** /dev/kvm is there and opens, and the CPU shows its virtualization extensions: a nested
 * VM can offer a /dev/kvm on which guests crash or hang (seen on the dev VMs: no vmx/svm,
 * qemu aborts with "failed to set MSR 0x10a", or stalls in the BIOS). */
export function kvmUsable(): boolean {
  if (!existsSync("/dev/kvm")) return false;
  try {
    closeSync(openSync("/dev/kvm", "r+"));
  } catch {
    return false;
  }
  try {
    return /^flags\s*:.*\b(vmx|svm)\b/m.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}

export function chooseAccel(choice = process.env.HUSK_VM_ACCEL ?? "auto"): "kvm" | "tcg" {
  if (choice === "kvm") return "kvm";
  if (choice === "tcg") return "tcg";
  return kvmUsable() ? "kvm" : "tcg";
}

let running: Bun.Subprocess | undefined;
process.on("exit", () => running?.kill("SIGTERM")); // never leave a qemu behind

export interface RunOptions {
  kernel: string;
  initrd: string;
  timeoutMs?: number;
  /** "auto" (default, from HUSK_VM_ACCEL), "kvm" or "tcg". */
  accel?: string;
  memoryMb?: number;
  /** The host's cgroup layout: "v2" (default) or "v1". */
  cgroup?: CgroupLayout;
  /** Called with each piece of console output as it arrives. */
  onOutput?: (chunk: string) => void;
}

export async function runVm(opts: RunOptions): Promise<VmResult> {
  const accel = chooseAccel(opts.accel);
  const r = await bootOnce(opts, accel);
  // A KVM that qemu cannot use crashes right away: run again in software.
  if (accel === "kvm" && !r.done && !r.timedOut && r.exitCode !== 0 && r.ms < 15_000) {
    const why = r.qemuStderr.split("\n")[0] ?? "";
    opts.onOutput?.(`\n[run-vm: kvm failed (${why}); booting again with tcg]\n`);
    const again = await bootOnce(opts, "tcg");
    return { ...again, accel: `tcg (kvm failed: ${why})` };
  }
  return r;
}

async function bootOnce(opts: RunOptions, accel: "kvm" | "tcg"): Promise<VmResult> {
  const timeoutMs = opts.timeoutMs ?? Number(process.env.HUSK_VM_TIMEOUT_S ?? 240) * 1000;
  const cmd = [
    "qemu-system-x86_64",
    "-accel", accel,
    // Bun's x64 build needs AVX2: TCG offers it with -cpu max (qemu >= 7.2), KVM passes
    // the host's through.
    "-cpu", accel === "kvm" ? "host" : "max",
    "-m", String(opts.memoryMb ?? 1024),
    "-smp", "2",
    "-nographic",
    "-no-reboot",
    "-kernel", opts.kernel,
    "-initrd", opts.initrd,
    "-append", kernelCmdline(opts.cgroup ?? "v2"),
  ];
  // qemu runs under timeout(1) as well: should this process die without killing it, qemu
  // still goes at the deadline (and the guest powers itself off after 300 s anyway).
  const limitS = Math.ceil(timeoutMs / 1000) + 5;
  const t0 = performance.now();
  const proc = Bun.spawn(["timeout", "-s", "KILL", String(limitS), ...cmd], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  running = proc;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGTERM"); // timeout(1) passes it on; qemu quits on SIGTERM
  }, timeoutMs);
  const onSignal = (sig: NodeJS.Signals) => {
    proc.kill("SIGTERM");
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  // The console, line by line: \r and the terminal escapes the BIOS prints (reset,
  // clear screen) are dropped, which needs whole lines (an escape can straddle chunks).
  const clean = (line: string) => line.replace(/\r|\x1b(?:\[[0-9;?]*[A-Za-z]|[c78])/g, "");
  let consoleText = "";
  let partial = "";
  const decoder = new TextDecoder();
  const readOut = (async () => {
    for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
      partial += decoder.decode(chunk, { stream: true });
      const cut = partial.lastIndexOf("\n");
      if (cut < 0) continue;
      const lines = clean(partial.slice(0, cut + 1));
      partial = partial.slice(cut + 1);
      consoleText += lines;
      opts.onOutput?.(lines);
    }
    const rest = clean(partial + decoder.decode());
    consoleText += rest;
    if (rest) opts.onOutput?.(rest);
  })();
  const stderrText = new Response(proc.stderr as ReadableStream<Uint8Array>).text();
  const exitCode = await proc.exited;
  clearTimeout(timer);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  await readOut;
  running = undefined;
  const ms = performance.now() - t0;
  const qemuStderr = (await stderrText).trim();

  const num = (re: RegExp) => {
    const m = re.exec(consoleText);
    return m ? Number(m[1]) : undefined;
  };
  return {
    console: consoleText,
    tap: parseTap(consoleText),
    done: /^# husk-vm: done$/m.test(consoleText),
    timedOut,
    exitCode,
    ms,
    accel,
    checksStartS: num(/^# checks: start at uptime ([\d.]+) s/m),
    checksEndS: num(/^# checks: end at uptime ([\d.]+) s/m),
    qemuStderr,
  };
}

/** One line about where the time went. */
export function timingSummary(r: VmResult): string {
  const parts = [`${(r.ms / 1000).toFixed(1)} s wall (${r.accel})`];
  if (r.checksStartS !== undefined) parts.push(`guest boot to checks ${r.checksStartS.toFixed(1)} s`);
  if (r.checksStartS !== undefined && r.checksEndS !== undefined) parts.push(`checks ${(r.checksEndS - r.checksStartS).toFixed(1)} s`);
  return parts.join(", ");
}

if (import.meta.main) {
  const layout = (process.argv[2] ?? "v2") as CgroupLayout;
  if (layout !== "v2" && layout !== "v1") {
    console.error(`usage: bun test/vm/run-vm.ts [v2|v1] (not "${layout}")`);
    process.exit(2);
  }
  const img = buildImage();
  if (img.message) console.error(img.message);
  if (img.status !== "ok") {
    console.error(`run-vm: image ${img.status}`);
    process.exit(img.status === "skip" ? 77 : 1);
  }
  console.error(`run-vm: image ready in ${(img.ms / 1000).toFixed(1)} s; booting ${img.kernel} (cgroup ${layout})`);
  const r = await runVm({ kernel: img.kernel, initrd: img.initrd, cgroup: layout, onOutput: (s) => process.stdout.write(s) });
  const bad = r.tap.lines.filter((l) => !l.ok);
  console.error(`\nrun-vm: ${timingSummary(r)}; qemu exit ${r.exitCode}${r.timedOut ? ", TIMED OUT (killed)" : ""}`);
  if (r.qemuStderr) console.error(`run-vm: qemu stderr: ${r.qemuStderr}`);
  console.error(`run-vm: ${r.tap.lines.length - bad.length}/${r.tap.lines.length} ok, plan ${r.tap.plan ?? "missing"}`);
  for (const l of bad) console.error(`run-vm: not ok ${l.n} - ${l.description}: ${l.reason ?? ""}`);
  const complete = r.done && r.tap.plan !== undefined && r.tap.plan === r.tap.lines.length;
  process.exit(bad.length === 0 && complete && !r.timedOut ? 0 : 1);
}
