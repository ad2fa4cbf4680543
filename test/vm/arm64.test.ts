// The arm64 build in an emulated arm64 machine: packaging/release.ts cross-builds husk
// for linux-arm64, test/vm/arm64-image.sh wraps it with Debian's arm64 kernel and
// busybox, and qemu-system-aarch64 boots it (software emulation). Inside, init2.sh runs
// the cgroup v2 checks (checks.sh: container lifecycle through `husk oci`, limits, OOM,
// freezer, device filter, cleanup; then the engine face: `husk image import` of the arm64
// busybox rootfs, `run --rm`, `run -d`, `ps`, `logs`, `stop`, `rm`) with the arm64 husk:
// one test per check. Under emulation this takes 3 to 6 minutes; HUSK_ARM64_VM_TIMEOUT_S
// (default 600) bounds it, and the guest's watchdog fires 20 s before that.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Arm64Image, buildArm64Image, runArm64Vm } from "./arm64-vm.ts";
import { CHECKS_SCRIPT, expectedChecks, timingSummary, type VmResult } from "./run-vm.ts";

const TIMEOUT_S = Number(process.env.HUSK_ARM64_VM_TIMEOUT_S ?? 600);
const checks = expectedChecks(`${readFileSync(CHECKS_SCRIPT.v2, "utf8")}\n${readFileSync(join(import.meta.dir, "checks-lib.sh"), "utf8")}`);
const noQemu = !Bun.which("qemu-system-aarch64");
if (noQemu) console.warn("arm64 VM tests skipped: qemu-system-aarch64 not found (Debian package qemu-system-arm)");

let image: Arm64Image | undefined;
let vm: VmResult | undefined;

describe.skipIf(noQemu)("arm64 husk in an emulated arm64 machine (cgroup v2)", () => {
  beforeAll(async () => {
    image = buildArm64Image();
    if (image.status !== "ok") throw new Error(`arm64 image ${image.status}: ${image.message}`);
    vm = await runArm64Vm(image, TIMEOUT_S * 1000);
    console.log(`arm64 VM: ${timingSummary(vm)}`);
  }, { timeout: (TIMEOUT_S + 180) * 1000 });

  afterAll(() => {
    if (vm && (!vm.done || vm.tap.lines.some((l) => !l.ok))) console.log(`---- arm64 VM console ----\n${vm.console.trimEnd()}\n----`);
  });

  test("the executable is an arm64 ELF", () => {
    const head = readFileSync(image!.husk).subarray(0, 20);
    expect(head.readUInt16LE(18)).toBe(183); // e_machine EM_AARCH64
  });

  test("the VM boots an arm64 kernel, runs every check and powers off in time", () => {
    expect(vm!.timedOut).toBe(false);
    expect(vm!.console).toMatch(/^# husk-vm: kernel \S+-arm64,/m);
    expect(vm!.done).toBe(true);
    expect(vm!.tap.plan).toBe(vm!.tap.lines.length);
    expect(vm!.tap.lines.map((l) => l.description).sort()).toEqual([...checks].sort());
  });

  test.each(checks)("%s", (description) => {
    const line = vm!.tap.lines.find((l) => l.description === description);
    if (!line) throw new Error(`no TAP line for "${description}"`);
    if (!line.ok) throw new Error(`not ok ${line.n} - ${line.description}\n${line.reason ?? ""}`);
    expect(line.ok).toBe(true);
  });
});
