// The base of the engine face (`husk run`, `ps`, ...): --root and --data-root, and
// docker's exit codes: run/create/start/exec fail with 125 (126/127 when the command
// itself cannot be run), the other commands with 1.
import { Command, Option } from "clipanion";
import { HuskError } from "../../runtime/errors.ts";
import { RecordStore } from "../../engine/record-store.ts";
import type { EngineRoots } from "../../engine/paths.ts";
import { enableTrace } from "../../util/trace.ts";
import { engineFailure } from "./engine-failure.ts";

export abstract class EngineCommand extends Command {
  root = Option.String("--root", process.env.HUSK_ROOT ?? "/run/husk", { description: "live state directory (default /run/husk)" });
  dataRoot = Option.String("--data-root", process.env.HUSK_DATA_ROOT ?? "/var/lib/husk", { description: "images, containers and volumes (default /var/lib/husk)" });
  debug = Option.Boolean("--debug", false, { description: "print where the time goes (same as HUSK_TRACE=1)" });

  protected get roots(): EngineRoots {
    return { root: this.root, dataRoot: this.dataRoot };
  }

  protected records(): RecordStore {
    return new RecordStore(this.roots);
  }

  protected warn = (msg: string): void => {
    this.context.stderr.write(`husk: warning: ${msg}\n`);
  };

  /** 125 for the commands docker gives it to (run, create, start, exec), else 1. */
  protected failCode = 1;

  abstract run(): Promise<number | void>;

  async execute(): Promise<number> {
    if (this.debug) enableTrace();
    try {
      return (await this.run()) ?? 0;
    } catch (e) {
      return engineFailure(e, this.failCode, this.debug, this.context.stderr);
    }
  }
}

/** Commands that act on several containers print each id and fail at the end (docker). */
export async function forEach(refs: string[], stderr: NodeJS.WritableStream, fn: (ref: string) => Promise<void>): Promise<number> {
  let failed = 0;
  for (const ref of refs) {
    try {
      await fn(ref);
    } catch (e) {
      failed++;
      stderr.write(`husk: ${e instanceof HuskError ? e.render() : (e as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}
