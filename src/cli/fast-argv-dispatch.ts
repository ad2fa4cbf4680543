// The fast path of main(): `husk run` and the hot OCI verbs, parsed by fast-argv.ts and
// run without evaluating clipanion at all. Anything the small parser does not take
// (help, mistakes, rare spellings) returns undefined here, and clipanion handles it as
// before. HUSK_FAST_ARGV=0 turns the fast path off (to compare, or to rule it out).
import type { RunRequest } from "./engine/run-action.ts";
import { type FastParse, fastParse } from "./fast-argv.ts";
import { ENGINE_RUN, OCI_VERBS, runFlagsFrom } from "./fast-argv-tables.ts";
import type { OciVerbOptions } from "./oci/hot-verbs.ts";
import { lightContext } from "./light-stdio.ts";
import { enableTrace, trace } from "../util/trace.ts";

/** What clipanion's ContainerRunCommand would hold, with the same defaults. */
export function engineRunRequest(p: FastParse, env = process.env): RunRequest & { debug: boolean } {
  const o = p.options;
  const detach = o.detach === true;
  return {
    roots: { root: (o.root as string) ?? env.HUSK_ROOT ?? "/run/husk", dataRoot: (o.dataRoot as string) ?? env.HUSK_DATA_ROOT ?? "/var/lib/husk" },
    image: p.positionals[0]!,
    cmd: p.rest,
    detach,
    flags: runFlagsFrom(o, detach),
    debug: o.debug === true,
  };
}

/** What clipanion's OCI command classes would hold, with the same defaults. */
export function ociVerbOptions(p: FastParse, env = process.env): OciVerbOptions {
  return {
    root: env.HUSK_ROOT ?? "/run/husk",
    logFormat: "text",
    debug: false,
    systemdCgroup: false,
    noPivot: false,
    noNewKeyring: false,
    detach: false,
    keep: false,
    force: false,
    all: false,
    ...p.options,
    id: p.positionals[0]!,
    signal: p.positionals[1],
  };
}

async function engineRun(args: string[]): Promise<number | undefined> {
  const p = fastParse(ENGINE_RUN, args);
  if (!p) return undefined;
  const req = engineRunRequest(p);
  if (req.debug) enableTrace();
  trace("fast argv: run");
  const [{ runContainerAction }, { engineFailure }] = await Promise.all([import("./engine/run-action.ts"), import("./engine/engine-failure.ts")]);
  const io = lightContext();
  try {
    return await runContainerAction(req, io);
  } catch (e) {
    return engineFailure(e, 125, req.debug, io.stderr);
  }
}

async function ociVerb(verb: string, args: string[]): Promise<number | undefined> {
  const p = fastParse(OCI_VERBS[verb]!, args);
  if (!p) return undefined;
  trace(`fast argv: oci ${verb}`);
  const [{ OCI_HOT_VERBS }, { ociExecute }] = await Promise.all([import("./oci/hot-verbs.ts"), import("./oci/oci-execute.ts")]);
  trace("fast argv: oci modules loaded");
  const o = ociVerbOptions(p);
  const io = lightContext();
  return ociExecute(o, io.stderr, () => OCI_HOT_VERBS[verb]!(o, io));
}

/** The exit code of a command run on the fast path, or undefined: use clipanion. */
export async function fastMain(argv: string[]): Promise<number | undefined> {
  if (process.env.HUSK_FAST_ARGV === "0") return undefined;
  if (argv[0] === "run") return engineRun(argv.slice(1));
  if (argv[0] === "container" && argv[1] === "run") return engineRun(argv.slice(2));
  if (argv[0] === "oci" && argv[1] !== undefined && Object.hasOwn(OCI_VERBS, argv[1])) return ociVerb(argv[1], argv.slice(2));
  return undefined;
}
