// The archives: a tar.gz and a .deb from a staged tree. Both are byte-for-byte
// reproducible: names sorted, owners root:root by number, mtimes clamped to
// SOURCE_DATE_EPOCH, no atime/ctime in pax headers, gzip without a name or time.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./run.ts";

/** "best" for releases; "fast" (same pipeline, lowest levels) where only the sums matter,
 * such as the reproducibility test. */
export type Compression = "best" | "fast";

export function tarGz(opts: { cwd: string; top: string; out: string; epoch: number; compression: Compression }): void {
  const tarFlags = [
    "--sort=name",
    "--format=gnu",
    `--mtime=@${opts.epoch}`,
    "--clamp-mtime",
    "--owner=0",
    "--group=0",
    "--numeric-owner",
  ];
  run("tarball", "sh", ["-c", `tar ${tarFlags.join(" ")} -cf - "$1" | gzip -${opts.compression === "fast" ? 1 : 9}n > "$2"`, "sh", opts.top, opts.out], {
    cwd: opts.cwd,
    env: { LC_ALL: "C" },
    quiet: true,
  });
}

export interface DebControl {
  version: string;
  debArch: string;
  installedSizeKiB: number;
  conffiles: string[];
}

export function controlText(c: DebControl): string {
  return [
    "Package: husk",
    `Version: ${c.version}`,
    `Architecture: ${c.debArch}`,
    "Maintainer: husk maintainers <husk@invalid>",
    `Installed-Size: ${c.installedSizeKiB}`,
    // Bun's executable links glibc dynamically; husk-core inside it is static.
    "Depends: libc6 (>= 2.27)",
    "Section: admin",
    "Priority: optional",
    "Description: Linux container runtime in one executable",
    " husk runs containers with namespaces, cgroups, seccomp and overlay filesystems.",
    " Called as husk-oci it is an OCI runtime with runc's command line, for",
    " containerd and podman. husk-restore.service starts saved containers at boot.",
    "",
  ].join("\n");
}

/** dpkg-deb over a staged tree that already has its DEBIAN/ dir. */
export function buildDeb(opts: { tree: string; out: string; epoch: number; compression: Compression }): void {
  // xz: every dpkg reads it (zstd needs dpkg 1.21.18+, which older edge distros lack).
  const level = opts.compression === "fast" ? "-z0" : "-z6";
  run("deb", "dpkg-deb", ["--root-owner-group", "-Zxz", level, "--build", opts.tree, opts.out], {
    cwd: opts.tree,
    env: { SOURCE_DATE_EPOCH: String(opts.epoch), LC_ALL: "C" },
    quiet: true,
  });
}

export function writeSums(dir: string, files: string[]): string {
  const lines = files
    .slice()
    .sort()
    .map((f) => `${sha256File(join(dir, f))}  ${f}`);
  const path = join(dir, "SHA256SUMS");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

export function sha256File(path: string): string {
  return new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");
}
