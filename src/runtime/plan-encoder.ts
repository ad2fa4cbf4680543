// Encodes the plan in husk-core's record format: u16 tag | u32 length | payload (LE).
// Integers are u64; strings raw UTF-8; groups nest a record sequence.

const enc = new TextEncoder();

export class PlanWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private header(tag: number, len: number): void {
    const h = new Uint8Array(6);
    const v = new DataView(h.buffer);
    v.setUint16(0, tag, true);
    v.setUint32(2, len, true);
    this.push(h);
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  bytes(tag: number, payload: Uint8Array): this {
    this.header(tag, payload.length);
    this.push(payload);
    return this;
  }

  str(tag: number, s: string | undefined): this {
    if (s === undefined) return this;
    if (s.includes("\0")) throw new Error(`plan: string for tag ${tag} contains a NUL byte`);
    return this.bytes(tag, enc.encode(s));
  }

  strs(tag: number, list: readonly string[] | undefined): this {
    for (const s of list ?? []) this.str(tag, s);
    return this;
  }

  /** A u64; negative numbers are written as two's complement (oomScoreAdj). */
  int(tag: number, n: number | bigint | undefined): this {
    if (n === undefined) return this;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(n)), true);
    return this.bytes(tag, b);
  }

  bool(tag: number, v: boolean | undefined): this {
    return v ? this.int(tag, 1) : this;
  }

  group(tag: number, fill: (w: PlanWriter) => void): this {
    const inner = new PlanWriter();
    fill(inner);
    return this.bytes(tag, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}
