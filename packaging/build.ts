// One command from source to dist/husk: compile the C core (libhusk, husk-core, the
// addon and the C unit tests) with cmake-js, then compile the TypeScript with Bun into
// a single executable that embeds the addon and husk-core.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { lazyClipanionContext } from "./clipanion-lazy-context.ts";

const root = resolve(import.meta.dir, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

function step(what: string, cmd: string, args: string[]): void {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build: ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.error(`build: ${what} (${Math.round(performance.now() - t0)} ms)`);
}

function gitCommit(): string {
  const r = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: root, encoding: "utf8" });
  const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root, encoding: "utf8" });
  const id = r.status === 0 ? r.stdout.trim() : "unknown";
  return dirty.stdout?.trim() ? `${id}-dirty` : id;
}

const target = process.env.HUSK_TARGET; // e.g. bun-linux-arm64 (packaging of other arches comes later)
const version = (await Bun.file(join(root, "package.json")).json()).version as string;

step("C core (cmake-js)", bin("cmake-js"), ["compile", "--directory", "core-c", "--out", "build", "--config", "Release"]);
mkdirSync(join(root, "dist"), { recursive: true });
// The bundler API rather than `bun build`: the executable needs a plugin (see
// clipanion-lazy-context.ts).
const t0 = performance.now();
const result = await Bun.build({
  entrypoints: [join(root, "src/cli/main.ts")],
  compile: { outfile: join(root, "dist/husk"), ...(target ? { target: target as Bun.Build.CompileTarget } : {}) },
  minify: true,
  bytecode: true,
  sourcemap: "none",
  define: {
    HUSK_BUILD_VERSION: JSON.stringify(version),
    HUSK_BUILD_COMMIT: JSON.stringify(gitCommit()),
  },
  plugins: [lazyClipanionContext()],
});
if (!result.success) {
  for (const log of result.logs) console.error(String(log));
  console.error("build: single executable (bun build --compile) failed");
  process.exit(1);
}
console.error(`build: single executable (bun build --compile) (${Math.round(performance.now() - t0)} ms)`);
