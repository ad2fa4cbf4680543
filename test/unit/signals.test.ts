import { describe, expect, test } from "bun:test";
import { parseSignal } from "../../src/oci/ops/signals.ts";

describe("parseSignal", () => {
  test("names with and without SIG, any case", () => {
    expect(parseSignal("TERM")).toBe(15);
    expect(parseSignal("SIGKILL")).toBe(9);
    expect(parseSignal("sigusr1")).toBe(10);
    expect(parseSignal("hup")).toBe(1);
  });
  test("numbers and realtime signals", () => {
    expect(parseSignal("9")).toBe(9);
    expect(parseSignal("RTMIN")).toBe(34);
    expect(parseSignal("RTMIN+3")).toBe(37);
    expect(parseSignal("RTMAX-1")).toBe(63);
  });
  test("unknown signals name the value", () => {
    expect(() => parseSignal("FOO")).toThrow('unknown signal "FOO"');
    expect(() => parseSignal("0")).toThrow('unknown signal "0"');
    expect(() => parseSignal("65")).toThrow('unknown signal "65"');
  });
});
