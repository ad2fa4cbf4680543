// husk's entry point: one binary, two faces (engine commands come with the engine work;
// `husk oci ...` speaks runc's command line).
import type { Cli } from "clipanion";
import { BUILD_INFO } from "../version.ts";
import { normalizeArgv } from "./argv.ts";
import { COMMANDS, commandFor, knownPath } from "./commands.ts";
import { fastMain } from "./fast-argv-dispatch.ts";
import { lightContext } from "./light-stdio.ts";
import { trace } from "../util/trace.ts";

/** A clipanion Cli with just the command argv names (one module evaluated), or with
 * all of them for --help, a bare `husk` and anything that names no command. */
export async function buildCli(args?: string[]): Promise<Cli> {
  // Loaded here, not statically: see light-stdio.ts for why the context is replaced first.
  const { Builtins, Cli } = await import("clipanion");
  (Cli as unknown as { defaultContext: unknown }).defaultContext = lightContext();
  const cli = new Cli({ binaryLabel: "husk", binaryName: "husk", binaryVersion: BUILD_INFO.version, enableColors: false });
  const wantsHelp = !args || args.includes("--help") || args.includes("-h");
  const one = wantsHelp ? undefined : commandFor(args);
  const entries = one ? [one] : COMMANDS;
  for (const c of await Promise.all(entries.map((e) => e.load()))) cli.register(c);
  cli.register(Builtins.HelpCommand);
  return cli;
}

/** Usage mistakes get one line on stderr (clipanion would print a usage dump). */
export function usageErrorLine(argv: string[], error: unknown): string {
  const first = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.replace(/^Unknown Syntax Error: /, "");
  const known = knownPath(argv);
  const help = known ? `husk ${known.join(" ")} --help` : "husk --help";
  const detail = first.replace(/;? ?did you mean one of:?$/, "").replace(/\.$/, "");
  return `husk: ${detail}: ${argv.join(" ")} (hint: see '${help}')\n`;
}

/** Usage mistakes exit as the peers do: runc's 1 on the OCI face, docker's 125 elsewhere. */
export const usageExitCode = (argv: string[]): number => (argv[0] === "oci" ? 1 : 125);

export async function main(argv0: string, args: string[]): Promise<number> {
  trace("modules loaded");
  const argv = normalizeArgv(argv0, args);
  const fast = await fastMain(argv);
  if (fast !== undefined) return fast;
  const cli = await buildCli(argv);
  trace("command loaded");
  let command;
  try {
    command = cli.process(argv);
  } catch (e) {
    process.stderr.write(usageErrorLine(argv, e));
    return usageExitCode(argv);
  }
  return cli.run(command);
}

if (import.meta.main) {
  // No top-level await: the bytecode build (faster start) compiles to CommonJS.
  main(process.argv0 ?? "husk", process.argv.slice(2)).then((code) => process.exit(code));
}
