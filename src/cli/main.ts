// husk's entry point: one binary, two faces (engine commands come with the engine work;
// `husk oci ...` speaks runc's command line).
import { Builtins, Cli } from "clipanion";
import { BUILD_INFO } from "../version.ts";
import { normalizeArgv } from "./argv.ts";
import { CreateCommand } from "./oci/create.ts";
import { DeleteCommand } from "./oci/delete.ts";
import { EventsCommand } from "./oci/events.ts";
import { ExecCommand } from "./oci/exec.ts";
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

export function buildCli(): Cli {
  const cli = new Cli({ binaryLabel: "husk", binaryName: "husk", binaryVersion: BUILD_INFO.version, enableColors: false });
  for (const c of [
    CreateCommand, StartCommand, RunCommand, StateCommand, KillCommand, DeleteCommand, ListCommand, PsCommand,
    ExecCommand, PauseCommand, ResumeCommand, EventsCommand, UpdateCommand, FeaturesCommand, SpecCommand, VersionCommand,
  ])
    cli.register(c);
  cli.register(Builtins.HelpCommand);
  return cli;
}

export async function main(argv0: string, args: string[]): Promise<number> {
  return buildCli().run(normalizeArgv(argv0, args));
}

if (import.meta.main) {
  const code = await main(process.argv0 ?? "husk", process.argv.slice(2));
  process.exit(code);
}
