// Foreground `run` and `exec`: signals sent to husk (kill <pid>, or Ctrl-C reaching the
// terminal's process group) go to the container's process, as runc does. husk-core
// ignores them in the foreground so that a Ctrl-C is delivered once, not twice.
import { addon } from "../../native/addon.ts";
import { SIGNALS } from "./signals.ts";

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;

export class SignalForwarder implements Disposable {
  private pid = 0;
  private pending: number[] = [];
  private readonly handler = (sig: NodeJS.Signals) => {
    const n = SIGNALS[sig.slice(3)] ?? 15;
    if (this.pid > 0) addon().killPid(this.pid, n);
    else this.pending.push(n);
  };

  constructor() {
    for (const s of FORWARDED) process.on(s, this.handler);
  }

  /** The container's process is known: deliver what arrived before it. */
  target(pid: number): void {
    this.pid = pid;
    for (const n of this.pending.splice(0)) addon().killPid(pid, n);
  }

  [Symbol.dispose](): void {
    for (const s of FORWARDED) process.off(s, this.handler);
  }
}
