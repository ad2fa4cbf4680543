// Release artifacts for linux-x64 and linux-arm64, in one command:
//
//   node_modules/.bin/bun packaging/release.ts [--arch x64,arm64] [--out dist/release] [--compress best|fast]
//   node_modules/.bin/bun packaging/release.ts --arch arm64 --executable-only   # prints its path
//
// For each arch: the single executable (C core cross-compiled for arm64 with Debian's
// gcc-aarch64-linux-gnu; `bun build --compile --target=bun-linux-<arch>`), a tarball
// husk-<version>-linux-<arch>.tar.gz and a .deb husk_<version>_<debarch>.deb; then
// SHA256SUMS over all of them. Reproducible: SOURCE_DATE_EPOCH (default: the last
// commit's time) fixes every timestamp, archives are sorted with numeric root owners,
// and no build path ends up in an artifact, so the same source gives the same sums.
// test/packaging/release.test.ts builds twice and compares.
// Cross-build prerequisites: bash packaging/release-deps.sh.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Arch, archByName, ARCHES } from "./release/arches.ts";
import { buildDeb, type Compression, controlText, tarGz, writeSums } from "./release/archives.ts";
import { buildExecutable, type BuildInfo } from "./release/executable.ts";
import { manPage } from "./release/man-page.ts";
import { run, StepError } from "./release/run.ts";
import { type Entry, writeTree } from "./release/tree.ts";

const repo = resolve(import.meta.dir, "..");
const files = join(import.meta.dir, "files");

function gitOut(args: string[]): string | undefined {
  const r = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function buildInfo(): BuildInfo {
  const version = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).version as string;
  const id = gitOut(["rev-parse", "--short=12", "HEAD"]) ?? "unknown";
  const dirty = gitOut(["status", "--porcelain", "--untracked-files=no"]);
  const sourceDateEpoch = process.env.SOURCE_DATE_EPOCH ?? gitOut(["log", "-1", "--format=%ct"]) ?? "0";
  return { repo, version, commit: dirty ? `${id}-dirty` : id, sourceDateEpoch };
}

function gzip(text: string): Uint8Array {
  const r = spawnSync("gzip", ["-9n"], { input: text });
  if (r.status !== 0) throw new StepError(`release: gzip of the man page failed: ${r.stderr}`);
  return r.stdout;
}

/** The `--help` texts for the man page, from an executable this machine can run. */
function helpSections(exe: string): { title: string; text: string }[] {
  const help = (args: string[]) => run(`help text: husk ${args.join(" ")}`, exe, args, { cwd: repo, quiet: true });
  // `husk --help` lists both faces (the oci verbs too)
  return [{ title: "Commands", text: help(["--help"]) }];
}

function packageArch(arch: Arch, exe: string, info: BuildInfo, man: string, out: string, compression: Compression): string[] {
  const epoch = Number(info.sourceDateEpoch);
  const work = join(repo, "build", `release-${arch.name}`, "pkg");
  const manGz = gzip(man);

  // tarball: husk-<v>-linux-<arch>/{husk, husk-oci, husk.1, husk-restore.service, husk.env}
  const top = `husk-${info.version}-linux-${arch.name}`;
  writeTree(join(work, "tar", top), [
    { path: "husk", kind: "file", mode: 0o755, from: exe },
    { path: "husk-oci", kind: "symlink", target: "husk" },
    { path: "husk.1", kind: "text", mode: 0o644, text: man },
    { path: "husk-restore.service", kind: "file", mode: 0o644, from: join(files, "husk-restore.service") },
    { path: "husk.env", kind: "file", mode: 0o644, from: join(files, "husk.env") },
  ], epoch);
  const tarName = `${top}.tar.gz`;
  tarGz({ cwd: join(work, "tar"), top, out: join(out, tarName), epoch, compression });

  // .deb
  const payload: Entry[] = [
    { path: "usr/bin/husk", kind: "file", mode: 0o755, from: exe },
    { path: "usr/bin/husk-oci", kind: "symlink", target: "husk" },
    { path: "lib/systemd/system/husk-restore.service", kind: "file", mode: 0o644, from: join(files, "husk-restore.service") },
    { path: "etc/husk/husk.env", kind: "file", mode: 0o644, from: join(files, "husk.env") },
    { path: "etc/husk/plugins", kind: "dir" },
    { path: "usr/share/man/man1/husk.1.gz", kind: "text", mode: 0o644, text: manGz },
    { path: "usr/share/man/man1/husk-oci.1.gz", kind: "symlink", target: "husk.1.gz" },
  ];
  const sizeKiB = Math.ceil(payload.reduce((n, e) => n + (e.kind === "file" ? statSync(e.from).size : e.kind === "text" ? e.text.length : 0), 0) / 1024);
  const md5 = (e: Entry) => (e.kind === "file" ? readFileSync(e.from) : e.kind === "text" ? e.text : "");
  const md5sums = payload
    .filter((e) => (e.kind === "file" || e.kind === "text") && !e.path.startsWith("etc/"))
    .map((e) => `${new Bun.CryptoHasher("md5").update(md5(e)).digest("hex")}  ${e.path}`)
    .sort()
    .join("\n");
  const conffiles = ["/etc/husk/husk.env"];
  writeTree(join(work, "deb"), [
    ...payload,
    { path: "DEBIAN/control", kind: "text", mode: 0o644, text: controlText({ version: info.version, debArch: arch.debArch, installedSizeKiB: sizeKiB, conffiles }) },
    { path: "DEBIAN/conffiles", kind: "text", mode: 0o644, text: `${conffiles.join("\n")}\n` },
    { path: "DEBIAN/md5sums", kind: "text", mode: 0o644, text: `${md5sums}\n` },
  ], epoch);
  const debName = `husk_${info.version}_${arch.debArch}.deb`;
  buildDeb({ tree: join(work, "deb"), out: join(out, debName), epoch, compression });

  // the bare executable too, for those who only want the one file
  const bare = `husk-${info.version}-linux-${arch.name}`;
  copyFileSync(exe, join(out, bare));
  return [tarName, debName, bare];
}

export async function release(opts: { arches: Arch[]; out: string; compression?: Compression }): Promise<string[]> {
  const info = buildInfo();
  console.error(`release: husk ${info.version} (${info.commit}), SOURCE_DATE_EPOCH=${info.sourceDateEpoch}, arches ${opts.arches.map((a) => a.name).join(", ")}`);
  const exes = new Map<string, string>();
  for (const arch of opts.arches) exes.set(arch.name, await buildExecutable(arch, info));

  // The man page comes from an executable this machine runs (the help text is the same
  // for every arch); from a checkout build when the host's arch is not being released.
  const hostArch = process.arch === "arm64" ? "arm64" : "x64";
  const runnable = exes.get(hostArch) ?? join(repo, "dist", "husk");
  const date = new Date(Number(info.sourceDateEpoch) * 1000).toISOString().slice(0, 10);
  const man = manPage({ version: info.version, date, sections: helpSections(runnable) });

  rmSync(opts.out, { recursive: true, force: true });
  mkdirSync(opts.out, { recursive: true });
  const made: string[] = [];
  for (const arch of opts.arches) made.push(...packageArch(arch, exes.get(arch.name)!, info, man, opts.out, opts.compression ?? "best"));
  const sums = writeSums(opts.out, made);
  console.error(`release: ${made.length} artifacts and ${sums}`);
  return made;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  try {
    const arches = (opt("--arch") ?? ARCHES.map((a) => a.name).join(",")).split(",").map(archByName);
    const out = resolve(opt("--out") ?? join(repo, "dist", "release"));
    if (args.includes("--executable-only")) {
      // Just the executables (tests that boot them, e.g. the arm64 VM): one path a line.
      const info = buildInfo();
      for (const arch of arches) console.log(await buildExecutable(arch, info));
      process.exit(0);
    }
    const compression = opt("--compress") ?? "best";
    if (compression !== "best" && compression !== "fast") throw new Error(`--compress must be best or fast, not "${compression}"`);
    await release({ arches, out, compression });
    process.stdout.write(readFileSync(join(out, "SHA256SUMS"), "utf8"));
  } catch (e) {
    const logs = (e as { errors?: unknown[] }).errors;
    console.error(e instanceof Error ? e.message : String(e));
    if (logs) for (const l of logs) console.error(String(l));
    process.exit(1);
  }
}
