import type { Clock } from '../shared/clock.js';
import { TikTokRateLimited } from './errors.js';

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
 * The state is **per process**: with several replicas each one allows the full rate. The service
 * uses {@link createOutboundBudget} instead (shared across replicas); this limiter serves API
 * clients built without a budget (library use, tools). TikTok's own limit is 50 QPS per API per (app, shop).
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

/** Counts calls per key and second where every replica sees them (the `tiktok_call_budget` table). */
export interface OutboundCallCounter {
  /** Adds one call to `key` in the second starting at `windowStart`; resolves that second's count, this call included. */
  add(key: string, windowStart: Date): Promise<number>;
}

export interface OutboundBudget {
  /**
   * Counts one call under `key` in the current second, across replicas. Past the limit it throws
   * {@link OutboundBudgetExhausted} (`tiktok_rate_limited`, Retry-After: the rest of the second)
   * and the call must not be sent. One atomic upsert; never waits.
   */
  take(key: string, call: { method: string; apiPath: string }): Promise<void>;
}

/** Our own refusal before calling TikTok: the shop's budget for this API is spent for this second. */
export class OutboundBudgetExhausted extends TikTokRateLimited {
  readonly retryAfterSeconds: number;
  readonly limit: number;

  constructor(call: { method: string; apiPath: string }, limit: number, retryAfterSeconds: number) {
    super(`This shop has used TikTok's ${limit} calls a second for ${call.apiPath}; the service did not call TikTok. Retry after the second.`, call);
    this.limit = limit;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * TikTok's limit (50 calls a second per app, shop and API) as one budget shared by every replica:
 * fixed 1-second windows counted by `counter` (one upsert per call, on Postgres or PGlite). Two
 * replicas allow 50 between them, not 50 each; a call over the budget is refused, not queued.
 *
 * @example
 * const budget = createOutboundBudget({ counter: createOutboundBudgetStore(db.sql), clock, requestsPerSecond: 50 });
 * await budget.take(budgetKey('default', 'GCP_abc', '/order/202309/orders/search'), { method: 'GET', apiPath });
 */
export function createOutboundBudget(options: { counter: OutboundCallCounter; clock: Clock; requestsPerSecond: number }): OutboundBudget {
  const limit = Math.max(1, Math.floor(options.requestsPerSecond));
  return {
    async take(key, call) {
      const now = options.clock.now().getTime();
      const windowStart = Math.floor(now / 1000) * 1000;
      const calls = await options.counter.add(key, new Date(windowStart));
      if (calls > limit) throw new OutboundBudgetExhausted(call, limit, (windowStart + 1000 - now) / 1000);
    },
  };
}

/** The budget key for one app, shop (or `app` for calls without a shop cipher) and API path template. */
export function budgetKey(app: string, shopCipher: string | undefined, path: string): string {
  return `${app} ${outboundKey(shopCipher, path)}`;
}
