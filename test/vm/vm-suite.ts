// The bun test side of a qemu run, shared by cgroup-v2.test.ts and cgroup-v1.test.ts:
// build the image (cached), boot it with the layout's kernel command line, then one test
// for the run as a whole and one per check the script can print. The VM's console is
// printed when something fails.
//
// Skipped (with the reason) only when qemu or the kernel cannot be obtained.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildImage, CHECKS_SCRIPT, type CgroupLayout, expectedChecks, runVm, timingSummary, type VmResult } from "./run-vm.ts";

const TIMEOUT_S = Number(process.env.HUSK_VM_TIMEOUT_S ?? 240);

export function vmSuite(layout: CgroupLayout, title: string): void {
  const label = `cgroup-${layout} VM`;
  // Builds the image (or finds it cached); installs qemu & co. through
  // ensure-packages.sh when they are missing.
  const image = buildImage();
  const skipReason =
    image.status === "skip"
      ? image.message.split("\n").filter((l) => l.includes("SKIP")).join(" ") || image.message
      : !Bun.which("qemu-system-x86_64")
        ? "qemu-system-x86_64 not found (Debian package qemu-system-x86)"
        : undefined;
  if (skipReason) console.warn(`${label} tests skipped: ${skipReason}`);

  const script = CHECKS_SCRIPT[layout];
  // Checks shared by both layouts live in checks-lib.sh, which each script sources.
  const lib = join(dirname(script), "checks-lib.sh");
  const checks = expectedChecks(`${readFileSync(script, "utf8")}\n${readFileSync(lib, "utf8")}`);
  let vm: VmResult | undefined;
  let consoleShown = false;

  function showConsole(why: string): void {
    if (consoleShown || !vm) return;
    consoleShown = true;
    console.log(`---- ${label} console (${why}) ----\n${vm.console.trimEnd()}\n---- end of VM console ----`);
    if (vm.qemuStderr) console.log(`qemu stderr: ${vm.qemuStderr}`);
  }

  describe.skipIf(skipReason !== undefined)(title, () => {
    beforeAll(async () => {
      if (image.status === "error") throw new Error(`test/vm/build-image.sh failed:\n${image.message}`);
      vm = await runVm({ kernel: image.kernel, initrd: image.initrd, cgroup: layout, timeoutMs: TIMEOUT_S * 1000 });
      console.log(`${label}: image ${(image.ms / 1000).toFixed(1)} s; ${timingSummary(vm)}`);
    }, { timeout: (TIMEOUT_S + 30) * 1000 });

    afterAll(() => {
      if (vm && vm.tap.lines.some((l) => !l.ok)) showConsole("some checks failed");
    });

    test("the VM boots, runs every check and powers off in time", () => {
      if (!vm) throw new Error("the VM did not run");
      const r = vm;
      const problems: string[] = [];
      if (r.timedOut) problems.push(`timed out after ${TIMEOUT_S} s (qemu killed)`);
      if (!r.done) problems.push("the init never printed '# husk-vm: done'");
      if (r.tap.plan === undefined) problems.push("no TAP plan line");
      else if (r.tap.plan !== r.tap.lines.length) problems.push(`plan 1..${r.tap.plan} but ${r.tap.lines.length} TAP lines`);
      const got = r.tap.lines.map((l) => l.description);
      const missing = checks.filter((d) => !got.includes(d));
      const unexpected = got.filter((d) => !checks.includes(d));
      if (missing.length) problems.push(`missing checks: ${missing.join("; ")}`);
      if (unexpected.length) problems.push(`checks not in ${script.slice(script.lastIndexOf("/") + 1)}'s list: ${unexpected.join("; ")}`);
      if (problems.length) {
        showConsole(problems.join(", "));
        throw new Error(problems.join("\n"));
      }
      expect(r.exitCode).toBe(0);
    });

    test.each(checks)("%s", (description) => {
      if (!vm) throw new Error("the VM did not run");
      const line = vm.tap.lines.find((l) => l.description === description);
      if (!line) {
        showConsole(`no TAP line for "${description}"`);
        throw new Error(`no TAP line for "${description}" (the VM stopped early?)`);
      }
      if (!line.ok) throw new Error(`not ok ${line.n} - ${line.description}\n${line.reason ?? "(no reason given)"}`);
      expect(line.ok).toBe(true);
    });
  });
}
