import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PlanWriter } from "../../src/runtime/plan-encoder.ts";
import { PLAN_VERSION, Tag } from "../../src/runtime/plan-tags.ts";

const header = readFileSync(join(import.meta.dir, "../../core-c/src/plan_tags.h"), "utf8");

/** Every `NAME = number` in the C enum, with HP_ stripped as the TS side names them. */
function cTags(): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of header.matchAll(/\b([A-Z][A-Z0-9_]+)\s*=\s*(\d+)/g)) out.set(m[1]!.replace(/^HP_/, ""), Number(m[2]));
  return out;
}

describe("plan tags", () => {
  test("every TS tag has the same number in plan_tags.h", () => {
    const c = cTags();
    for (const [name, value] of Object.entries(Tag)) expect({ name, value: c.get(name) }).toEqual({ name, value });
  });
  test("plan version matches", () => {
    expect(header).toContain(`#define HUSK_PLAN_VERSION ${PLAN_VERSION}`);
  });
});

describe("PlanWriter", () => {
  test("records are tag u16 LE, length u32 LE, payload", () => {
    const bytes = new PlanWriter().str(Tag.CWD, "/ab").finish();
    expect([...bytes]).toEqual([17, 0, 3, 0, 0, 0, 0x2f, 0x61, 0x62]);
  });
  test("integers are u64 LE and negatives are two's complement", () => {
    const bytes = new PlanWriter().int(Tag.OOM_SCORE_ADJ, -1).finish();
    expect([...bytes.subarray(6)]).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    const big = new PlanWriter().int(Tag.CAP_BOUNDING, 1n << 40n).finish();
    expect(new DataView(big.buffer, 6).getBigUint64(0, true)).toBe(1n << 40n);
  });
  test("groups nest records and undefined values are skipped", () => {
    const bytes = new PlanWriter().group(Tag.NAMESPACE, (g) => g.int(Tag.NS_TYPE, 1).str(Tag.NS_PATH, undefined)).finish();
    expect(bytes.length).toBe(6 + 6 + 8);
    expect(new DataView(bytes.buffer).getUint32(2, true)).toBe(14);
  });
  test("false booleans are omitted, true ones are 1", () => {
    expect(new PlanWriter().bool(Tag.TERMINAL, false).finish().length).toBe(0);
    expect(new PlanWriter().bool(Tag.TERMINAL, true).finish()[6]).toBe(1);
  });
  test("a NUL byte in a string is refused", () => {
    expect(() => new PlanWriter().str(Tag.ARG, "a\0b")).toThrow("NUL");
  });
});
