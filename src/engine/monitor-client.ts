// Talking to `husk-core monitor`: start one for a container, attach to it, stop it, and
// read the status it writes. The CLI never waits on a monitor as its child: everything
// goes through the attach socket and status.msgpack, so a killed CLI changes nothing.
import { readFileSync } from "node:fs";
// "msgpackr" itself (node-index.js) probes for the optional native msgpackr-extract at
// load (node-gyp-build, detect-libc: file system walks), which costs ms on every start.
import { unpack } from "msgpackr/unpack";
import { addon } from "../native/addon.ts";
import { type CoreEvent, runCore } from "../runtime/core-runner.ts";
import { CoreError, HuskError } from "../runtime/errors.ts";
import { isSameLiveProcess } from "../state/proc-stat.ts";
import { type AttachConnection, connectAttach } from "./attach-socket.ts";
import { decodeExit, type ExitInfo, Frame, FrameReader, encodeFrame, resizeFrame, stdinFrames, stopFrame } from "./attach-frames.ts";

export type { ExitInfo } from "./attach-frames.ts";

export interface MonitorStatus {
  monitorPid: number;
  monitorStartTime: number;
  pid: number;
  pidStartTime: number;
  status: "created" | "running" | "restarting" | "exited";
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  restartCount: number;
  /** Why the last start failed, if it did. */
  error: string | null;
}

/** A container that could not be started, with docker's exit code for it. */
export class StartError extends CoreError {
  constructor(
    base: CoreError,
    readonly code: number,
  ) {
    super(base.message, base.hint, base.stage, base.errno);
    this.name = "StartError";
  }
}

/** docker's exit codes for a failed start: 127 not found, 126 not executable, 125 the rest. */
export function startFailureCode(stage: string, errno: string): number {
  if (stage !== "exec") return 125;
  if (errno === "ENOENT") return 127;
  if (errno === "EACCES" || errno === "ENOEXEC" || errno === "EPERM" || errno === "EISDIR") return 126;
  return 125;
}

/**
 * Start `husk-core monitor` with a plan that carries monitor settings. Returns when the
 * container is created (wait-for-attach plans) or started; the monitor lives on alone.
 */
export async function launchMonitor(plan: Uint8Array): Promise<{ monitorPid: number; pid: number }> {
  let monitorPid = 0;
  let pid = 0;
  let error: Extract<CoreEvent, { event: "error" }> | undefined;
  const result = await runCore({
    mode: "monitor",
    plan,
    onEvent: (ev) => {
      if (ev.event === "monitor") monitorPid = ev.pid;
      else if (ev.event === "created" || ev.event === "started") pid = ev.pid;
      else if (ev.event === "error" && !error) error = ev;
    },
  });
  if (error) {
    const base = CoreError.fromEvent(error);
    throw new StartError(base, startFailureCode(error.stage, error.errno));
  }
  if (result.exitCode !== 0 || !monitorPid || !pid)
    throw new StartError(new CoreError(`monitor: husk-core exited with status ${result.exitCode} before reporting the container`), 125);
  return { monitorPid, pid };
}

/** The status the monitor last wrote in `dir`, or undefined when there is none. */
export function readStatus(dir: string): MonitorStatus | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(`${dir}/status.msgpack`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  return unpack(bytes) as MonitorStatus;
}

/** Whether the monitor that wrote `st` still runs (pid and start time both match). */
export function monitorAlive(st: MonitorStatus): boolean {
  return isSameLiveProcess(st.monitorPid, st.monitorStartTime);
}

export interface Sink {
  write(chunk: Uint8Array): unknown;
}

export interface AttachOptions {
  /** Feeds the container's stdin (the plan must have openStdin, or a tty). */
  stdin?: NodeJS.ReadableStream;
  stdout?: Sink;
  stderr?: Sink;
  /** The container has a pty: put our terminal in raw mode and follow its size. */
  tty?: boolean;
  /** Window size to set before anything else (else our terminal's, when there is one). */
  size?: { rows: number; cols: number };
  /** Release a container created with waitForAttach (frame 7) once attached. */
  start?: boolean;
  /** Tell the monitor that we remove the container ourselves (no --rm cleanup). */
  ackCleanup?: boolean;
  /** Forward these signals we receive to the container (pid from launchMonitor). */
  forwardSignalsTo?: number;
}

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;
const SIGNUM: Record<(typeof FORWARDED)[number], number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15 };

/** Attach to a monitor; resolves with the container's exit once it is done for good. */
export async function attach(socketPath: string, opts: AttachOptions = {}): Promise<ExitInfo> {
  const reader = new FrameReader();
  let exit: ExitInfo | undefined;
  let settle!: { resolve: (e: ExitInfo) => void; reject: (e: Error) => void };
  const done = new Promise<ExitInfo>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => {}); // it may settle before it is awaited below; the await still sees it
  let conn: AttachConnection | undefined;
  // On the exit frame: ack (if asked) and close; the frame may come before connect returns.
  const finish = () => {
    if (opts.ackCleanup) conn!.write(encodeFrame(Frame.cleanupAck));
    conn!.end();
    settle.resolve(exit!);
  };
  conn = await connectAttach(socketPath, {
    data: (chunk) => {
      for (const f of reader.push(chunk)) {
        if (f.type === Frame.stdout) opts.stdout?.write(f.payload);
        else if (f.type === Frame.stderr) opts.stderr?.write(f.payload);
        else if (f.type === Frame.exit && !exit) {
          exit = decodeExit(f.payload);
          if (conn) finish();
        }
      }
    },
    close: () => {
      if (!exit) settle.reject(new HuskError(`attach: ${socketPath}: the monitor went away before the container's exit`, "see the container's status"));
    },
  });
  const sock = conn;
  if (exit) finish();
  const send = (b: Uint8Array) => sock.write(b);
  const cleanups: (() => void)[] = [];
  const term = opts.tty && process.stdin.isTTY ? process.stdin : undefined;
  if (opts.size) send(resizeFrame(opts.size.rows, opts.size.cols));
  else if (opts.tty && process.stdout.isTTY) send(resizeFrame(process.stdout.rows, process.stdout.columns));
  if (term) {
    term.setRawMode(true);
    cleanups.push(() => term.setRawMode(false));
  }
  if (opts.tty && process.stdout.isTTY) {
    const onWinch = () => send(resizeFrame(process.stdout.rows, process.stdout.columns));
    process.on("SIGWINCH", onWinch);
    cleanups.push(() => process.off("SIGWINCH", onWinch));
  }
  if (opts.forwardSignalsTo) {
    const pid = opts.forwardSignalsTo;
    for (const name of FORWARDED) {
      const h = () => addon().killPid(pid, SIGNUM[name]);
      process.on(name, h);
      cleanups.push(() => process.off(name, h));
    }
  }
  if (opts.stdin) {
    const input = opts.stdin;
    const onData = (d: Buffer | string) => {
      for (const f of stdinFrames(typeof d === "string" ? Buffer.from(d) : d)) if (f.length > 5) send(f);
    };
    const onEnd = () => send(encodeFrame(Frame.stdin));
    input.on("data", onData);
    input.on("end", onEnd);
    cleanups.push(() => {
      input.off("data", onData);
      input.off("end", onEnd);
      (input as NodeJS.ReadStream).pause?.();
    });
  }
  if (opts.start) send(encodeFrame(Frame.start));
  try {
    return await done;
  } finally {
    for (const c of cleanups.reverse()) c();
    sock.destroy();
  }
}

/**
 * Stop a container through its monitor: its stop signal, then SIGKILL after
 * `timeoutSeconds`; no restart after. Resolves with the exit, or undefined when the
 * monitor was already gone.
 */
export async function stop(socketPath: string, timeoutSeconds: number): Promise<ExitInfo | undefined> {
  const reader = new FrameReader();
  let exit: ExitInfo | undefined;
  let closed!: () => void;
  const gone = new Promise<void>((resolve) => (closed = resolve));
  let conn: AttachConnection | undefined;
  try {
    conn = await connectAttach(socketPath, {
      data: (chunk) => {
        for (const f of reader.push(chunk))
          if (f.type === Frame.exit && !exit) {
            exit = decodeExit(f.payload);
            conn?.end();
          }
      },
      close: () => closed(),
    });
  } catch {
    return undefined;
  }
  if (exit) conn.end();
  else conn.write(stopFrame(timeoutSeconds));
  await gone;
  return exit;
}
