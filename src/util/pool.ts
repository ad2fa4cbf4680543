// A small worker pool for downloads and uploads: at most `concurrency` calls at once,
// started in order; after the first failure (or when `stop` says so) nothing new starts.

export interface PoolOutcome<T> {
  /** The first error a call threw, if any. */
  failed: unknown;
  /** Items that were never started (after a failure or a stop). */
  notStarted: T[];
}

export async function forEachLimited<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>, stop?: () => boolean): Promise<PoolOutcome<T>> {
  let next = 0;
  let failed: unknown;
  let hasFailed = false;
  const worker = async () => {
    while (next < items.length && !hasFailed && !stop?.()) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        if (!hasFailed) failed = e;
        hasFailed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  return { failed, notStarted: items.slice(next) };
}
