// The base of `husk image ...`: where images live, and error handling.
import { Command, Option } from "clipanion";
import { ContentStore } from "../../image/content-store.ts";
import { ImageStore } from "../../image/image-store.ts";
import { LayerStore } from "../../image/layer-store.ts";
import { reportError } from "../log.ts";

export abstract class ImageCommand extends Command {
  dataRoot = Option.String("--data-root", process.env.HUSK_DATA_ROOT ?? "/var/lib/husk", {
    description: "where images, layers and volumes live (default /var/lib/husk)",
  });

  protected images(): ImageStore {
    return new ImageStore(this.dataRoot);
  }
  protected content(): ContentStore {
    return new ContentStore(this.dataRoot);
  }
  protected layers(): LayerStore {
    return new LayerStore(this.dataRoot);
  }

  abstract run(): Promise<number | void>;

  /** One failure among several operands: its line on stderr, and the command goes on. */
  protected reportOne(e: unknown): void {
    reportError(e, { format: "text", debug: false }, this.context.stderr);
  }

  async execute(): Promise<number> {
    try {
      return (await this.run()) ?? 0;
    } catch (e) {
      return reportError(e, { format: "text", debug: false }, this.context.stderr);
    }
  }
}

/** 1234567 -> "1.2 MB" (decimal units, as docker prints sizes). */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export const shortId = (digest: string) => digest.replace(/^sha256:/, "").slice(0, 12);
