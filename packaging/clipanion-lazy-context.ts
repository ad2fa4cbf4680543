// A bundler plugin for the single executable: clipanion builds its default context
// (process.stdin, stdout, stderr and the colour depth) when its Cli module is evaluated,
// and the first touch of those streams costs Bun about 3 ms. husk replaces that context
// before any command runs (src/cli/light-stdio.ts), so the plugin makes clipanion's
// default one lazy. If clipanion's code changes shape, the build fails rather than
// silently losing the change.
import type { BunPlugin } from "bun";

const EAGER = /Cli\.defaultContext = \{\s*env: process\.env,\s*stdin: process\.stdin,\s*stdout: process\.stdout,\s*stderr: process\.stderr,\s*colorDepth: platform\.getDefaultColorDepth\(\),?\s*\};/;
const LAZY = `Cli.defaultContext = {
    env: process.env,
    get stdin() { return process.stdin; },
    get stdout() { return process.stdout; },
    get stderr() { return process.stderr; },
    get colorDepth() { return platform.getDefaultColorDepth(); },
};`;

export function lazyClipanionContext(): BunPlugin {
  return {
    name: "clipanion-lazy-context",
    setup(build) {
      build.onLoad({ filter: /[\\/]clipanion[\\/]lib[\\/]advanced[\\/]Cli\.js$/ }, async (args) => {
        const text = await Bun.file(args.path).text();
        if (!EAGER.test(text)) throw new Error(`${args.path}: clipanion's default context changed shape; update packaging/clipanion-lazy-context.ts`);
        return { contents: text.replace(EAGER, LAZY), loader: "js" };
      });
    },
  };
}
