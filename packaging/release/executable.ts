// One architecture's single executable: the C core with cmake-js (cross-compiled where
// the arch is not the host's), then `bun build --compile` of a staged copy of src/ whose
// build/Release/ holds that arch's husk-core and husk_core.node (src/native imports them
// from there). Everything happens under build/release-<arch>/, made fresh each time so no
// stale object can creep into a release.
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import type { Arch } from "./arches.ts";
import { lazyClipanionContext } from "../clipanion-lazy-context.ts";
import { run, StepError } from "./run.ts";

export interface BuildInfo {
  repo: string;
  version: string;
  commit: string;
  sourceDateEpoch: string;
}

export function checkNeeds(arch: Arch): void {
  const missing = arch.needs.filter((n) => !existsSync(n.path));
  if (missing.length) {
    throw new StepError(
      `release: ${arch.name}: missing ${missing.map((m) => m.path).join(", ")} (hint: bash packaging/release-deps.sh, or apt-get install ${missing.map((m) => m.pkg).join(" ")})`,
    );
  }
}

/** Builds the executable for `arch`; returns its path (build/release-<arch>/stage/dist/husk). */
export async function buildExecutable(arch: Arch, info: BuildInfo): Promise<string> {
  checkNeeds(arch);
  const { repo } = info;
  const work = join(repo, "build", `release-${arch.name}`);
  const stage = join(work, "stage");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const env = { SOURCE_DATE_EPOCH: info.sourceDateEpoch, LC_ALL: "C", TZ: "UTC" };

  const cmakeArgs = ["compile", "--directory", join(repo, "core-c"), "--out", join(stage, "build"), "--config", "Release"];
  if (arch.toolchain) cmakeArgs.push("--arch", arch.name, `--CDCMAKE_TOOLCHAIN_FILE=${join(repo, "core-c", "cmake", arch.toolchain)}`);
  run(`${arch.name}: C core (cmake-js)`, join(repo, "node_modules", ".bin", "cmake-js"), cmakeArgs, { cwd: repo, env, quiet: false });

  // The TypeScript side, as bun sees it from the repo: src/, the bundled plugins, and
  // the files they read.
  for (const d of ["src", "plugins"]) cpSync(join(repo, d), join(stage, d), { recursive: true });
  for (const f of ["package.json", "tsconfig.json"]) cpSync(join(repo, f), join(stage, f));
  symlinkSync(join(repo, "node_modules"), join(stage, "node_modules"));
  mkdirSync(join(stage, "dist"));
  const t0 = performance.now();
  // Bun.build as packaging/build.ts does it (same plugin, same options), for the arch's target.
  const result = await Bun.build({
    entrypoints: [join(stage, "src/cli/main.ts")],
    compile: {
      target: arch.bunTarget as Bun.Build.CompileTarget,
      outfile: join(stage, "dist", "husk"), // the name is part of the output: the same for every arch
      // A husk on a server must not pick up a .env or bunfig.toml from whatever
      // directory it is started in.
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
    minify: true,
    bytecode: true,
    sourcemap: "none",
    define: { HUSK_BUILD_VERSION: JSON.stringify(info.version), HUSK_BUILD_COMMIT: JSON.stringify(info.commit) },
    plugins: [lazyClipanionContext()],
  });
  if (!result.success) {
    throw new StepError(`release: ${arch.name}: bun build --compile failed:\n${result.logs.map(String).join("\n")}`);
  }
  console.error(`release: ${arch.name}: single executable (Bun.build, ${arch.bunTarget}) (${Math.round(performance.now() - t0)} ms)`);
  return join(stage, "dist", "husk");
}
