// Boots the arm64 VM (test/vm/arm64-image.sh) under qemu-system-aarch64 in software
// emulation (-M virt -cpu max, console ttyAMA0) and collects the TAP of the cgroup v2
// checks that init2.sh runs. The TAP parsing and the check list come from run-vm.ts.
//
//   node_modules/.bin/bun test/vm/arm64-vm.ts     # build the arm64 husk and the image, boot, print
import { join } from "node:path";
import { parseTap, REPO_ROOT, type VmResult } from "./run-vm.ts";

export interface Arm64Image {
  status: "ok" | "skip" | "error";
  message: string;
  kernel: string;
  initrd: string;
  husk: string;
}

/** The arm64 husk (packaging/release.ts --executable-only), then the image around it. */
export function buildArm64Image(): Arm64Image {
  const none = { kernel: "", initrd: "", husk: "" };
  const exe = Bun.spawnSync([join(REPO_ROOT, "node_modules/.bin/bun"), join(REPO_ROOT, "packaging/release.ts"), "--arch", "arm64", "--executable-only"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  if (exe.exitCode !== 0) return { ...none, status: "error", message: `arm64 build failed: ${exe.stderr.toString().trim()}` };
  const husk = exe.stdout.toString().trim().split("\n").pop()!;
  const img = Bun.spawnSync(["bash", join(import.meta.dir, "arm64-image.sh")], { env: { ...process.env, HUSK_ARM64_BIN: husk }, stdout: "pipe", stderr: "pipe" });
  const out = img.stdout.toString();
  return {
    status: img.exitCode === 0 ? "ok" : img.exitCode === 77 ? "skip" : "error",
    message: img.stderr.toString().trim(),
    kernel: /^kernel=(.*)$/m.exec(out)?.[1] ?? "",
    initrd: /^initrd=(.*)$/m.exec(out)?.[1] ?? "",
    husk,
  };
}

let running: Bun.Subprocess | undefined;
process.on("exit", () => running?.kill("SIGKILL")); // never leave a qemu behind

export async function runArm64Vm(img: { kernel: string; initrd: string }, timeoutMs: number, onOutput?: (s: string) => void): Promise<VmResult> {
  const cmd = [
    "qemu-system-aarch64", "-M", "virt", "-cpu", "max", "-m", "1024", "-smp", "2",
    "-nographic", "-no-reboot", "-kernel", img.kernel, "-initrd", img.initrd,
    // the guest's own watchdog (init2.sh) powers off a little before the host gives up
    "-append", `console=ttyAMA0 cgroup_no_v1=all panic=-1 quiet husk.watchdog=${Math.max(60, Math.floor(timeoutMs / 1000) - 20)}`,
  ];
  const t0 = performance.now();
  const proc = Bun.spawn(["timeout", "-s", "KILL", String(Math.ceil(timeoutMs / 1000) + 5), ...cmd], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  running = proc;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGTERM");
  }, timeoutMs);
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
    const s = decoder.decode(chunk, { stream: true }).replace(/\r/g, "");
    text += s;
    onOutput?.(s);
  }
  const exitCode = await proc.exited;
  clearTimeout(timer);
  running = undefined;
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    console: text,
    tap: parseTap(text),
    done: /^# husk-vm: done$/m.test(text),
    timedOut,
    exitCode,
    ms: performance.now() - t0,
    accel: "tcg",
    checksStartS: num(/^# checks: start at uptime ([\d.]+) s/m),
    checksEndS: num(/^# checks: end at uptime ([\d.]+) s/m),
    qemuStderr: (await new Response(proc.stderr as ReadableStream<Uint8Array>).text()).trim(),
  };
}

if (import.meta.main) {
  const img = buildArm64Image();
  if (img.status !== "ok") {
    console.error(img.message);
    process.exit(img.status === "skip" ? 77 : 1);
  }
  const r = await runArm64Vm(img, 480_000, (s) => process.stdout.write(s));
  process.exit(r.done && r.tap.lines.every((l) => l.ok) ? 0 : 1);
}
