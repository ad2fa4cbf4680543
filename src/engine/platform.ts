// --platform for run/create: which of a name's local images to take, and whether this
// host can run an image of another architecture (only through a binfmt_misc handler:
// husk does no emulation of its own).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatPlatform, hostPlatform, normalizePlatform, parsePlatform, type Platform } from "../image/registry/platform.ts";
import { HuskError } from "../runtime/errors.ts";
import { badValue } from "./flags/bad-value.ts";

/** --platform os/arch[/variant], normalised (aarch64 -> arm64/v8); undefined when absent. */
export function parsePlatformFlag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let p: Platform;
  try {
    p = parsePlatform(text);
  } catch {
    throw badValue("--platform", text, "expected OS/ARCH[/VARIANT] such as linux/amd64 or linux/arm64/v8");
  }
  if (p.os !== "linux") throw badValue("--platform", text, "husk runs linux images only");
  return formatPlatform(p);
}

/** ELF e_machine of each architecture (what a binfmt_misc magic matches at offset 18). */
const ELF_MACHINE: Record<string, number> = { "386": 3, amd64: 62, arm: 40, arm64: 183, ppc64le: 21, s390x: 22, riscv64: 243, mips64le: 8, loong64: 258 };

/** The architectures that enabled binfmt_misc entries can run, from their ELF magic. */
export function binfmtArchitectures(dir = "/proc/sys/fs/binfmt_misc"): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const name of names) {
    if (name === "register" || name === "status") continue;
    let text: string;
    try {
      text = readFileSync(join(dir, name), "utf8");
    } catch {
      continue;
    }
    if (!/^enabled$/m.test(text)) continue;
    const magic = /^magic ([0-9a-f]+)$/m.exec(text)?.[1];
    const offset = Number(/^offset (\d+)$/m.exec(text)?.[1] ?? 0);
    if (!magic || !magic.startsWith("7f454c46") || offset !== 0 || magic.length < 40) continue;
    const machine = parseInt(magic.slice(36, 38), 16) | (parseInt(magic.slice(38, 40), 16) << 8);
    for (const [arch, em] of Object.entries(ELF_MACHINE)) if (em === machine) out.add(arch);
  }
  return [...out];
}

/** Refuse an image this host cannot run: another architecture with no binfmt handler. */
export function checkRunnable(image: string, p: Platform, host = hostPlatform(), binfmtDir?: string): void {
  const want = normalizePlatform(p);
  if (want.os !== host.os) throw new HuskError(`image ${image} is for ${formatPlatform(want)}, and this host runs ${formatPlatform(host)}`, "choose a linux image (--platform linux/ARCH)", 125);
  if (want.architecture === host.architecture) return;
  if (binfmtArchitectures(binfmtDir).includes(want.architecture)) return;
  throw new HuskError(
    `image ${image} is for ${formatPlatform(want)}, and this host runs ${formatPlatform(host)}: no binfmt_misc handler for ${want.architecture} in ${binfmtDir ?? "/proc/sys/fs/binfmt_misc"}`,
    `register an emulator (Debian: qemu-user-binfmt), or run the ${formatPlatform(host)} image (--platform ${formatPlatform(host)})`,
    125,
  );
}
