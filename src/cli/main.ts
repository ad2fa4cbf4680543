// husk's entry point: one binary, two faces (engine commands come with the engine work;
// `husk oci ...` speaks runc's command line).
import { Builtins, Cli } from "clipanion";
import { BUILD_INFO } from "../version.ts";
import { normalizeArgv } from "./argv.ts";
import { CreateCommand } from "./oci/create.ts";
import { DeleteCommand } from "./oci/delete.ts";
import { EventsCommand } from "./oci/events.ts";
import { ExecCommand } from "./oci/exec.ts";
import { OciHelpCommand } from "./oci/help.ts";
import { FeaturesCommand } from "./oci/features.ts";
import { KillCommand } from "./oci/kill.ts";
import { ListCommand } from "./oci/list.ts";
import { PauseCommand, ResumeCommand } from "./oci/pause.ts";
import { PsCommand } from "./oci/ps.ts";
import { RunCommand } from "./oci/run.ts";
import { SpecCommand } from "./oci/spec.ts";
import { StartCommand } from "./oci/start.ts";
import { StateCommand } from "./oci/state.ts";
import { UpdateCommand } from "./oci/update.ts";
import { VersionCommand } from "./version.ts";
import { ImageInspectCommand } from "./image/inspect.ts";
import { ImageLoadCommand } from "./image/load.ts";
import { ImageLsCommand } from "./image/ls.ts";
import { ImagePullCommand } from "./image/pull.ts";
import { ImageRmCommand } from "./image/rm.ts";
import { trace } from "../util/trace.ts";

const COMMANDS = [
  CreateCommand, StartCommand, RunCommand, StateCommand, KillCommand, DeleteCommand, ListCommand, PsCommand,
  ExecCommand, PauseCommand, ResumeCommand, EventsCommand, UpdateCommand, FeaturesCommand, SpecCommand, VersionCommand,
  OciHelpCommand, ImagePullCommand, ImageLsCommand, ImageRmCommand, ImageInspectCommand, ImageLoadCommand,
];

/** All commands, or (when `args` names one exactly) just that one: clipanion's parser
 * costs time per registered command, and `create`/`run` sit on the start-latency path. */
export function buildCli(args?: string[]): Cli {
  const cli = new Cli({ binaryLabel: "husk", binaryName: "husk", binaryVersion: BUILD_INFO.version, enableColors: false });
  const wanted = args && !args.includes("--help") && !args.includes("-h")
    ? COMMANDS.filter((c) => c.paths?.some((p) => p.every((part, i) => args[i] === part) && (p.length > 1 || p[0]!.startsWith("-")) && c !== OciHelpCommand))
    : [];
  for (const c of wanted.length === 1 ? wanted : COMMANDS) cli.register(c);
  cli.register(Builtins.HelpCommand);
  return cli;
}

/** Usage mistakes get one line on stderr (clipanion would print a usage dump). */
export function usageErrorLine(argv: string[], error: unknown): string {
  const first = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.replace(/^Unknown Syntax Error: /, "");
  const known = COMMANDS.find((c) => c.paths?.some((p) => p.length > 1 && p.every((part, i) => argv[i] === part)));
  const help = known?.paths?.[0] ? `husk ${known.paths[0].join(" ")} --help` : argv[0] === "oci" ? "husk oci --help" : "husk --help";
  const detail = first.replace(/;? ?did you mean one of:?$/, "").replace(/\.$/, "");
  return `husk: ${detail}: ${argv.join(" ")} (hint: see '${help}')\n`;
}

export async function main(argv0: string, args: string[]): Promise<number> {
  trace("modules loaded");
  const argv = normalizeArgv(argv0, args);
  const cli = buildCli(argv);
  let command;
  try {
    command = cli.process(argv);
  } catch (e) {
    process.stderr.write(usageErrorLine(argv, e));
    return 1;
  }
  return cli.run(command);
}

if (import.meta.main) {
  // No top-level await: the bytecode build (faster start) compiles to CommonJS.
  main(process.argv0 ?? "husk", process.argv.slice(2)).then((code) => process.exit(code));
}
