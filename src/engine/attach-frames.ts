// The attach socket's frames (docs/engine-design.md): u8 type | u32 BE length | payload.
// Pure encoding and decoding, shared by the monitor client and its tests.

export const Frame = { stdin: 0, stdout: 1, stderr: 2, resize: 3, exit: 4, cleanupAck: 5, stop: 6, start: 7 } as const;
export const FRAME_MAX_PAYLOAD = 16384;

export interface ExitInfo {
  exitCode: number;
  signal: number;
  oomKilled: boolean;
}

export function encodeFrame(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, payload.length, false);
  out.set(payload, 5);
  return out;
}

/** stdin bytes as frames no larger than the monitor takes; an empty chunk is the EOF frame. */
export function stdinFrames(data: Uint8Array): Uint8Array[] {
  if (data.length === 0) return [encodeFrame(Frame.stdin)];
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += FRAME_MAX_PAYLOAD) out.push(encodeFrame(Frame.stdin, data.subarray(off, off + FRAME_MAX_PAYLOAD)));
  return out;
}

export function resizeFrame(rows: number, cols: number): Uint8Array {
  const p = new Uint8Array(4);
  const v = new DataView(p.buffer);
  v.setUint16(0, rows, false);
  v.setUint16(2, cols, false);
  return encodeFrame(Frame.resize, p);
}

export function stopFrame(timeoutSeconds: number): Uint8Array {
  const p = new Uint8Array(4);
  new DataView(p.buffer).setUint32(0, timeoutSeconds, false);
  return encodeFrame(Frame.stop, p);
}

export function decodeExit(payload: Uint8Array): ExitInfo {
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { exitCode: v.getInt32(0, false), signal: v.getInt32(4, false), oomKilled: payload[8] === 1 };
}

/** Incremental decoder: push bytes as they arrive, get whole frames out. */
export class FrameReader {
  private buf = new Uint8Array(0);

  push(chunk: Uint8Array): { type: number; payload: Uint8Array }[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    const frames: { type: number; payload: Uint8Array }[] = [];
    let off = 0;
    while (joined.length - off >= 5) {
      const len = new DataView(joined.buffer, off + 1, 4).getUint32(0, false);
      if (joined.length - off < 5 + len) break;
      frames.push({ type: joined[off]!, payload: joined.slice(off + 5, off + 5 + len) });
      off += 5 + len;
    }
    this.buf = joined.slice(off);
    return frames;
  }
}
