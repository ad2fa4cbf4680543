// The worker pool behind parallel pulls and pushes.
import { describe, expect, test } from "bun:test";
import { forEachLimited } from "../../src/util/pool.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("forEachLimited", () => {
  test("runs every item, never more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const out = await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      seen.push(n);
      running--;
    });
    expect(out).toEqual({ failed: undefined, notStarted: [] });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  test("after the first failure nothing new starts; the rest is reported", async () => {
    const started: number[] = [];
    const out = await forEachLimited([1, 2, 3, 4, 5], 1, async (n) => {
      started.push(n);
      if (n === 2) throw new Error("boom 2");
    });
    expect((out.failed as Error).message).toBe("boom 2");
    expect(started).toEqual([1, 2]);
    expect(out.notStarted).toEqual([3, 4, 5]);
  });

  test("keeps the first error when several fail", async () => {
    const out = await forEachLimited([1, 2], 2, async (n) => {
      await tick();
      throw new Error(`fail ${n}`);
    });
    expect((out.failed as Error).message).toBe("fail 1");
  });

  test("stop() ends the run between items", async () => {
    let stop = false;
    const out = await forEachLimited([1, 2, 3], 1, async (n) => {
      if (n === 1) stop = true;
    }, () => stop);
    expect(out).toEqual({ failed: undefined, notStarted: [2, 3] });
  });

  test("an empty list and a zero limit are fine", async () => {
    expect(await forEachLimited([], 3, async () => {})).toEqual({ failed: undefined, notStarted: [] });
    const seen: number[] = [];
    await forEachLimited([1, 2], 0, async (n) => void seen.push(n));
    expect(seen).toEqual([1, 2]);
  });
});
