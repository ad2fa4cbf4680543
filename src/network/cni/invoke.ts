// Running one CNI plugin executable: find it on the bin dirs, start it with the CNI_*
// environment and its config on stdin, enforce a timeout, and turn a failure into one
// line that names the plugin.
//
// Why a process spawn from Bun is fine here: the design forbids fork/clone/setns/unshare
// inside the Bun process because Bun is multi-threaded and a forked copy of it must never
// run JavaScript or change namespaces. Bun.spawn does not fork Bun into a second
// JavaScript runtime: it uses posix_spawn (vfork + exec), so the child only execs the
// plugin. The plugin then enters CNI_NETNS on its own, in its own process. When the host
// side lives in another namespace (tests), husk-core's netns-exec enters it and execs the
// plugin, so Bun still never changes namespace.
import { accessSync, constants, statSync } from "node:fs";
import { join } from "node:path";
import { netnsExecArgv } from "../netlink.ts";
import { HuskError } from "../../runtime/errors.ts";
import { parseErrorJson, WELL_KNOWN_CODES } from "./result.ts";

export interface SpawnRequest {
  argv: string[];
  env: Record<string, string>;
  stdin: string;
  timeoutMs: number;
}
export interface SpawnOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}
/** The seam around the process spawn: unit tests hand in a fake. */
export type Spawner = (req: SpawnRequest) => Promise<SpawnOutcome>;

export const bunSpawner: Spawner = async (req) => {
  const p = Bun.spawn(req.argv, { env: req.env, stdin: new TextEncoder().encode(req.stdin), stdout: "pipe", stderr: "pipe" });
  let timedOut = false as boolean;
  const timer = setTimeout(() => {
    timedOut = true;
    p.kill("SIGKILL");
  }, req.timeoutMs);
  try {
    const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
    await p.exited;
    return { exitCode: p.exitCode, signal: p.signalCode == null ? null : String(p.signalCode), stdout, stderr, timedOut };
  } finally {
    clearTimeout(timer);
  }
};

/** A failed plugin call, as one line: "ADD mynet: CNI plugin bridge (/usr/lib/cni/bridge): msg (code 7: ...)". */
export class CniPluginError extends HuskError {
  constructor(
    readonly plugin: string,
    readonly command: string,
    message: string,
    hint?: string,
    readonly code?: number,
  ) {
    super(oneLine(message), hint);
    this.name = "CniPluginError";
  }
}

/** Newlines and runs of spaces folded, long text cut: an error stays one readable line. */
export function oneLine(text: string, max = 600): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The executable for plugin `type`: the first dir of `binDirs` that has it. */
export function findPlugin(type: string, binDirs: string[]): string | undefined {
  for (const dir of binDirs) {
    const p = join(dir, type);
    try {
      if (statSync(p).isFile()) {
        accessSync(p, constants.X_OK);
        return p;
      }
    } catch {}
  }
  return undefined;
}

export interface InvokeOptions {
  command: string;        // ADD, DEL, CHECK, VERSION
  network: string;        // for the message
  type: string;           // the plugin's type (executable name)
  binDirs: string[];
  env: Record<string, string>;
  stdin: string;
  timeoutMs: number;
  /** run the plugin with this netns as its "host" namespace (undefined: ours) */
  hostNetns?: string;
  spawn?: Spawner;
}

/** Runs the plugin and returns its stdout; throws CniPluginError on any failure. */
export async function invokePlugin(o: InvokeOptions): Promise<string> {
  const what = `${o.command} ${o.network}: CNI plugin ${o.type}`;
  const path = findPlugin(o.type, o.binDirs);
  if (!path)
    throw new CniPluginError(o.type, o.command, `${what}: not found in ${o.binDirs.join(":")}`, "install it (Debian: containernetworking-plugins puts them in /usr/lib/cni) or pass -o com.husk.cni.bin-dir=DIR");
  const spawn = o.spawn ?? bunSpawner;
  let out: SpawnOutcome;
  try {
    out = await spawn({ argv: netnsExecArgv(o.hostNetns, [path]), env: o.env, stdin: o.stdin, timeoutMs: o.timeoutMs });
  } catch (e) {
    throw new CniPluginError(o.type, o.command, `${what} (${path}): cannot start: ${(e as Error).message}`, "check that it is an executable for this machine");
  }
  if (out.timedOut)
    throw new CniPluginError(o.type, o.command, `${what} (${path}): did not finish within ${o.timeoutMs / 1000} s and was killed`, "raise -o com.husk.cni.timeout=SECONDS, or find out why the plugin hangs");
  if (out.exitCode === 0) return out.stdout;
  const err = parseErrorJson(out.stdout);
  if (err) {
    const known = WELL_KNOWN_CODES[err.code];
    const details = err.details && err.details !== err.msg ? `: ${err.details}` : "";
    throw new CniPluginError(o.type, o.command, `${what} (${path}): ${err.msg}${details} (code ${err.code}${known ? `: ${known}` : ""})`, hintFor(err.code), err.code);
  }
  const status = out.signal ? `was killed by ${out.signal}` : `exited with status ${out.exitCode}`;
  const said = lastLine(out.stderr) || lastLine(out.stdout);
  throw new CniPluginError(o.type, o.command, `${what} (${path}): ${status}${said ? `: ${said}` : " and printed no error"}`);
}

function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? "";
}

function hintFor(code: number): string | undefined {
  switch (code) {
    case 1:
      return "the plugin does not speak the conflist's cniVersion; change cniVersion or update the plugin";
    case 2:
    case 7:
      return "fix the network's conflist";
    case 11:
      return "try again";
  }
  return undefined;
}
