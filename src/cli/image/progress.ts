// Pull progress: on a terminal one line per layer, redrawn in place (bytes, rate, bar);
// otherwise one plain line each time a layer changes state.
import type { PushProgress } from "../../image/push.ts";
import type { PullProgress } from "../../image/registry/client.ts";
import { humanSize, shortId } from "./base.ts";

type Event = PullProgress | PushProgress | { kind: "unpack"; digest: string; chainId: string };

export class PullProgressPrinter {
  private readonly rows = new Map<string, { status: string; done: number; total: number; started: number }>();
  private drawn = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly tty: boolean,
    private readonly quiet: boolean,
  ) {}

  event(ev: Event): void {
    if (this.quiet) return;
    if (ev.kind === "layer" || ev.kind === "unpack") {
      const row = this.rows.get(ev.digest) ?? { status: "", done: 0, total: 0, started: Date.now() };
      const status = ev.kind === "unpack" ? "unpacked" : ev.status;
      const changed = row.status !== status;
      if (ev.kind === "layer") {
        row.done = ev.done;
        row.total = ev.total;
      }
      row.status = status;
      this.rows.set(ev.digest, row);
      if (!this.tty) {
        if (changed) this.out.write(`${shortId(ev.digest)}: ${status}${row.total ? ` (${humanSize(row.total)})` : ""}\n`);
        return;
      }
      if (changed || Date.now() - this.lastDraw > 100) this.draw();
    } else if (!this.tty) {
      this.out.write(`${ev.kind} ${shortId(ev.digest)}\n`);
    }
  }

  private draw(): void {
    this.lastDraw = Date.now();
    let text = this.drawn ? `\x1b[${this.drawn}A` : "";
    for (const [digest, r] of this.rows) {
      const width = 30;
      const frac = r.total ? Math.min(1, r.done / r.total) : r.status === "unpacked" || r.status === "exists" || r.status === "mounted" ? 1 : 0;
      const bar = `[${"=".repeat(Math.round(frac * width)).padEnd(width)}]`;
      const secs = (Date.now() - r.started) / 1000;
      const rate = secs > 0 && (r.status === "downloading" || r.status === "uploading") ? ` ${humanSize(r.done / secs)}/s` : "";
      text += `\x1b[2K${shortId(digest)}: ${r.status.padEnd(11)} ${bar} ${humanSize(r.done)}/${humanSize(r.total)}${rate}\n`;
    }
    this.drawn = this.rows.size;
    this.out.write(text);
  }

  finish(): void {
    if (this.tty && !this.quiet) this.draw();
  }
}
