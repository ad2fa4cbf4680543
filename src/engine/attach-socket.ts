// A client connection to a monitor's attach socket, on Bun's own socket API. Why not
// node:net: evaluating that module costs about 3 ms on every `husk run` (measured in the
// compiled binary), and all we need is connect, write in order, read, close.
import { closeSync, existsSync, openSync } from "node:fs";
import { basename, dirname } from "node:path";
import { HuskError } from "../runtime/errors.ts";

export interface AttachConnection {
  /** Queued in order; what the kernel does not take now is sent when the socket drains. */
  write(bytes: Uint8Array): void;
  /** Close once everything queued is sent. */
  end(): void;
  /** Close now. */
  destroy(): void;
}

export interface AttachHandlers {
  data(chunk: Uint8Array): void;
  /** The connection is gone (the monitor closed it, an error, or end/destroy). Called once. */
  close(): void;
}

/** sun_path holds 107 bytes: reach a longer socket path through our fd on its directory. */
function connectPath(path: string): { path: string; release: () => void } {
  if (Buffer.byteLength(path) < 108) return { path, release: () => {} };
  const fd = openSync(dirname(path), "r");
  return { path: `/proc/self/fd/${fd}/${basename(path)}`, release: () => closeSync(fd) };
}

export async function connectAttach(socketPath: string, h: AttachHandlers): Promise<AttachConnection> {
  if (!existsSync(socketPath)) throw new HuskError(`attach: ${socketPath}: ENOENT`, "the container's monitor is not running");
  const target = connectPath(socketPath);
  const queue: Uint8Array[] = [];
  let ending = false;
  let closed = false;
  let sock: Bun.Socket<undefined> | undefined;
  const closeOnce = () => {
    if (closed) return;
    closed = true;
    h.close();
  };
  const flush = () => {
    if (!sock || closed) return;
    while (queue.length) {
      const b = queue[0]!;
      const n = sock.write(b);
      if (n < 0) return; // closed under us: the close handler reports it
      if (n < b.length) {
        queue[0] = b.subarray(n);
        return;
      }
      queue.shift();
    }
    if (ending) sock.end();
  };
  try {
    sock = await Bun.connect({
      unix: target.path,
      socket: {
        data: (_s, chunk) => h.data(chunk),
        drain: () => flush(),
        close: () => closeOnce(),
        end: () => closeOnce(),
        error: () => closeOnce(),
      },
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new HuskError(`attach: connect to ${socketPath}: ${code}`, "the container's monitor is not running");
  } finally {
    target.release();
  }
  return {
    write(bytes) {
      if (closed || ending) return;
      queue.push(bytes);
      if (queue.length === 1) flush();
    },
    end() {
      ending = true;
      flush();
    },
    destroy() {
      if (!closed) sock?.terminate();
      closeOnce();
    },
  };
}
