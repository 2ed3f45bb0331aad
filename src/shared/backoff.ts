/**
 * When a periodic worker may try again after failures in a row: the interval doubled per failure,
 * capped (a database that is away is not hammered, and its log is not flooded).
 *
 * @example
 * const pause = createRetryPause({ baseMs: 250, maxMs: 30_000 });
 * pause.failed(now); pause.ready(now + 100) // false; after 250 ms: true
 */
export function createRetryPause(options: { baseMs: number; maxMs: number }) {
  let failures = 0;
  let until = 0;
  return {
    /** Whether a timer tick should try now. */
    ready: (now: number) => now >= until,
    failed(now: number) {
      failures += 1;
      until = now + Math.min(options.maxMs, options.baseMs * 2 ** (failures - 1));
    },
    succeeded() {
      failures = 0;
      until = 0;
    },
    /** Failures in a row (the first logs; later ones only when they reach a power of two). */
    get failures() {
      return failures;
    },
  };
}
