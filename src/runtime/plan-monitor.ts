// The monitor's settings in the plan (tags MON_*, 60-79 and 200-219). Pure: the engine
// decides the values, this only spells them for husk-core.
import type { HostCgroups } from "./cgroup-paths.ts";
import { hierarchyOf, hostCgroups } from "./cgroup-paths.ts";
import { HuskError } from "./errors.ts";
import type { PlanWriter } from "./plan-encoder.ts";
import { Tag } from "./plan-tags.ts";

export const RESTART_POLICIES = { no: 0, "on-failure": 1, always: 2, "unless-stopped": 3 } as const;
export type RestartPolicyName = keyof typeof RESTART_POLICIES;

export interface RestartPolicy {
  name: RestartPolicyName;
  /** on-failure only: restarts allowed, 0 = unlimited. */
  maxRetries: number;
}

export interface OomCounter {
  path: string;
  key: string;
}

export interface MonitorSettings {
  /** <root>/engine/<id>/status.msgpack */
  statusFile: string;
  /** <root>/engine/<id>/attach.sock */
  attachSocket: string;
  /** CRI log file; none: output goes to attached clients only. */
  logPath?: string;
  logMaxSize?: number;
  logMaxFile?: number;
  /** -i: attach clients feed the container's stdin. */
  openStdin?: boolean;
  /** Create, then wait for a start frame (foreground run: no output is lost). */
  waitForAttach?: boolean;
  restart?: RestartPolicy;
  stopSignal?: number;
  /** Seconds between the stop signal and SIGKILL when the monitor gets SIGTERM. */
  stopTimeout?: number;
  /** --rm: run on the final exit unless an attached client acks (argv[0] absolute). */
  cleanupArgv?: string[];
  oomCounters?: OomCounter[];
  /** The engine's events.jsonl: the monitor appends die, oom, restart (and start after one). */
  events?: MonitorEvents;
  /** A network namespace file to make first (as `husk-core netns add`) unless it exists. */
  netnsAdd?: string;
}

export interface MonitorEvents {
  file: string;
  id: string;
  /** Attributes put in every event (name, image). */
  attributes: Record<string, string>;
}

/** docker's --restart value: no | on-failure[:N] | always | unless-stopped. */
export function parseRestartPolicy(value: string): RestartPolicy {
  const [name, count, ...rest] = value.split(":");
  if (!(name! in RESTART_POLICIES) || rest.length)
    throw new HuskError(`invalid restart policy "${value}"`, "use no, on-failure[:max-retries], always or unless-stopped");
  if (count !== undefined) {
    if (name !== "on-failure") throw new HuskError(`invalid restart policy "${value}": only on-failure takes a retry count`);
    if (!/^\d+$/.test(count)) throw new HuskError(`invalid restart policy "${value}": the retry count must be a whole number`);
  }
  return { name: name as RestartPolicyName, maxRetries: count === undefined ? 0 : Number(count) };
}

/** The OOM kill counters of a container's cgroups: memory.events on v2, memory.oom_control on v1. */
export function oomCountersFor(cgroup: { dirs: string[]; v2Dir?: string }, host: HostCgroups = hostCgroups()): OomCounter[] {
  const out: OomCounter[] = [];
  const v1 = cgroup.dirs.find((d) => hierarchyOf(d, host)?.controllers.includes("memory"));
  if (v1) out.push({ path: `${v1}/memory.oom_control`, key: "oom_kill" });
  else if (cgroup.v2Dir) out.push({ path: `${cgroup.v2Dir}/memory.events`, key: "oom_kill" });
  return out;
}

export function writeMonitorSettings(w: PlanWriter, m: MonitorSettings): void {
  if (m.cleanupArgv?.length && !m.cleanupArgv[0]!.startsWith("/"))
    throw new HuskError(`monitor cleanup command "${m.cleanupArgv[0]}" must be an absolute path`);
  if (m.netnsAdd !== undefined && !m.netnsAdd.startsWith("/")) throw new HuskError(`netns path "${m.netnsAdd}" must be absolute`);
  w.str(Tag.MON_NETNS_ADD, m.netnsAdd);
  w.str(Tag.MON_STATUS_FILE, m.statusFile).str(Tag.MON_ATTACH_SOCKET, m.attachSocket).str(Tag.MON_LOG_PATH, m.logPath);
  if (m.logMaxSize) w.int(Tag.MON_LOG_MAX_SIZE, m.logMaxSize);
  if (m.logMaxFile) w.int(Tag.MON_LOG_MAX_FILE, m.logMaxFile);
  w.bool(Tag.MON_OPEN_STDIN, m.openStdin).bool(Tag.MON_WAIT_ATTACH, m.waitForAttach);
  if (m.restart) w.int(Tag.MON_RESTART_POLICY, RESTART_POLICIES[m.restart.name]).int(Tag.MON_RESTART_MAX, m.restart.maxRetries);
  if (m.stopSignal !== undefined) w.int(Tag.MON_STOP_SIGNAL, m.stopSignal);
  if (m.stopTimeout !== undefined) w.int(Tag.MON_STOP_TIMEOUT, m.stopTimeout);
  if (m.cleanupArgv?.length) w.group(Tag.MON_CLEANUP, (g) => g.strs(Tag.MON_CLEANUP_ARG, m.cleanupArgv));
  for (const c of m.oomCounters ?? []) w.group(Tag.MON_OOM_COUNTER, (g) => g.str(Tag.MON_OOM_PATH, c.path).str(Tag.MON_OOM_KEY, c.key));
  if (m.events) {
    // Pre-encoded here, so the C side never escapes JSON: it puts the members between braces.
    w.str(Tag.MON_EVENTS_FILE, m.events.file).str(Tag.MON_EVENT_ID, m.events.id).str(Tag.MON_EVENT_ATTRS, JSON.stringify(m.events.attributes).slice(1, -1));
  }
}
