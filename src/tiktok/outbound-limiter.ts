import type { Clock } from '../shared/clock.js';

export interface OutboundLimiter {
  /** Resolves when one more call under `key` keeps it at or below the limit; waits, never fails. */
  acquire(key: string): Promise<void>;
}

export interface OutboundLimiterOptions {
  requestsPerSecond: number;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
}

/**
 * A sliding-window limiter: at most `requestsPerSecond` calls per key in any 1-second window.
 * Each key keeps the start times of its last N calls; call k may start once call k − N is a
 * second old. Slots are reserved before waiting, so concurrent callers queue in order.
 *
 * The state is **per process**: with several replicas each one allows the full rate, so size the
 * limit (or the replica count) accordingly. TikTok's own limit is 50 QPS per API per (app, shop).
 *
 * @example
 * const limiter = createOutboundLimiter({ requestsPerSecond: 50, clock: systemClock, sleep });
 * await limiter.acquire(outboundKey('GCP_abc', '/order/202309/orders/search'));
 */
export function createOutboundLimiter(options: OutboundLimiterOptions): OutboundLimiter {
  const limit = Math.max(1, Math.floor(options.requestsPerSecond));
  const windows = new Map<string, { starts: number[]; next: number }>();
  let acquiresSinceSweep = 0;

  function sweep(now: number): void {
    for (const [key, window] of windows) {
      if (Math.max(...window.starts) + 1000 <= now) windows.delete(key);
    }
  }

  return {
    async acquire(key) {
      const now = options.clock.now().getTime();
      if (++acquiresSinceSweep >= 1000) {
        acquiresSinceSweep = 0;
        sweep(now);
      }
      let window = windows.get(key);
      if (!window) {
        window = { starts: [], next: 0 };
        windows.set(key, window);
      }
      let start = now;
      if (window.starts.length < limit) {
        window.starts.push(start);
      } else {
        start = Math.max(now, window.starts[window.next]! + 1000);
        window.starts[window.next] = start;
        window.next = (window.next + 1) % limit;
      }
      if (start > now) await options.sleep(start - now);
    },
  };
}

/** The limiter key for one API path and shop (or `app` for calls without a shop cipher). */
export function outboundKey(shopCipher: string | undefined, path: string): string {
  return `${shopCipher ?? 'app'} ${path}`;
}
