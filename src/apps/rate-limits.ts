import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { createRetryPause } from '../shared/backoff.js';
import type { Worker } from '../shared/worker.js';
import { QuotaExhausted, RateLimited } from '../shared/errors.js';

/** What the caller learns about its per-minute limit on every answer (X-RateLimit-*). */
export interface RateLimitState {
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface RateLimitedClient {
  id: string;
  rateLimitPerMinute: number | null;
  dailyQuota: number | null;
}

export interface RateLimits {
  /**
   * Counts one request of the client. Throws {@link RateLimited} past the per-minute limit and
   * {@link QuotaExhausted} past the daily quota; otherwise resolves the per-minute state (null: the
   * client has no per-minute limit). Synchronous work only: no database round trip on the request path.
   */
  consume(client: RateLimitedClient): RateLimitState | null;
  /**
   * Where the client stands in the current minute window, without counting a request: for the
   * X-RateLimit-* headers of an answer refused by the daily quota (null: no per-minute limit).
   */
  minuteState(client: RateLimitedClient): RateLimitState | null;
  /** Pushes the counts not yet shared to the store now. */
  flush(): Promise<void>;
  /** The sync worker: `start()` shares counts every `syncIntervalMs`; `stop()` stops and flushes. */
  worker: Worker;
}

export interface RateLimitsOptions {
  /**
   * Where counts are shared: `RateLimiterPostgres` over the `rate_limits` table (every replica), or
   * `RateLimiterMemory` (one process, PGlite). Windows are keys; each store's `duration` is how long
   * a key is kept, so minute keys go to one kept a little over a minute, day keys to one kept two days.
   */
  stores: { minute: Pick<RateLimiterAbstract, 'penalty'>; day: Pick<RateLimiterAbstract, 'penalty'> };
  clock: Clock;
  logger: Logger;
  /** The per-minute limit of clients without their own; null: they have none. */
  defaultPerMinute: number | null;
  /** How often local counts are added to the shared store (default 100 ms). */
  syncIntervalMs?: number;
}

interface Window {
  key: string;
  kind: 'minute' | 'day';
  limit: number;
  endsAt: number;
  /** Total across replicas as of the last sync (this process's synced requests included). */
  shared: number;
  /** This process's requests not yet added to `shared`. */
  pending: number;
  syncing: number;
}

/**
 * Fixed windows (the UTC minute, the UTC day) counted per client. Each process decides from the
 * shared total it last saw plus its own unsynced requests, and adds its requests to the shared
 * store in one upsert per window every `syncIntervalMs`. One process is exact; N replicas can
 * overshoot by at most what they admit between two syncs. This keeps the hot path free of a
 * database write per request.
 */
export function createRateLimits(options: RateLimitsOptions): RateLimits {
  const windows = new Map<string, Window>();
  const syncIntervalMs = options.syncIntervalMs ?? 100;
  // The timer waits out failures (doubling up to 30 s); an explicit flush always tries.
  const pause = createRetryPause({ baseMs: syncIntervalMs, maxMs: 30_000 });
  let syncing: Promise<void> = Promise.resolve();

  function windowFor(kind: Window['kind'], key: string, limit: number, endsAt: number): Window {
    let window = windows.get(key);
    if (!window) {
      window = { key, kind, limit, endsAt, shared: 0, pending: 0, syncing: 0 };
      windows.set(key, window);
    }
    window.limit = limit;
    return window;
  }

  const used = (window: Window) => window.shared + window.pending + window.syncing;

  async function sync(): Promise<void> {
    const now = options.clock.now().getTime();
    let failed = 0;
    let lastError: unknown;
    await Promise.all(
      [...windows.values()].map(async (window) => {
        // A finished window decides nothing any more, on any replica: its counts need not be shared.
        if (window.endsAt <= now) {
          if (window.syncing === 0) windows.delete(window.key);
          return;
        }
        if (window.pending === 0) return;
        const points = window.pending;
        window.pending = 0;
        window.syncing += points;
        try {
          const result = await options.stores[window.kind].penalty(window.key, points);
          window.shared = Math.max(window.shared + points, result.consumedPoints);
        } catch (error) {
          window.pending += points;
          failed += 1;
          lastError = error;
        } finally {
          window.syncing -= points;
        }
      }),
    );
    if (failed === 0) {
      pause.succeeded();
      return;
    }
    pause.failed(options.clock.now().getTime());
    // Logged at the first failure and then at doubling counts, not on every sync of an outage.
    if ((pause.failures & (pause.failures - 1)) === 0) {
      options.logger.warn({ err: lastError, windows: failed, failures: pause.failures }, 'rate-limit counts could not be shared; retrying');
    }
  }
  const flush = (): Promise<void> => (syncing = syncing.then(sync));
  let timer: NodeJS.Timeout | undefined;

  function minuteWindow(client: RateLimitedClient, now: number): Window | undefined {
    const limit = client.rateLimitPerMinute ?? options.defaultPerMinute;
    if (limit === null) return undefined;
    const minuteEnd = Math.floor(now / 60_000) * 60_000 + 60_000;
    return windowFor('minute', `m:${client.id}:${minuteEnd}`, limit, minuteEnd);
  }
  const stateOf = (minute: Window | undefined): RateLimitState | null =>
    minute ? { limit: minute.limit, remaining: Math.max(0, minute.limit - used(minute)), resetAt: new Date(minute.endsAt) } : null;

  return {
    minuteState(client) {
      return stateOf(minuteWindow(client, options.clock.now().getTime()));
    },
    consume(client) {
      const now = options.clock.now().getTime();
      let day: Window | undefined;
      if (client.dailyQuota !== null) {
        const dayEnd = Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000;
        day = windowFor('day', `q:${client.id}:${dayEnd}`, client.dailyQuota, dayEnd);
        if (used(day) >= day.limit) {
          throw new QuotaExhausted(
            `This API key has used its daily quota of ${day.limit} requests; it resets at ${new Date(dayEnd).toISOString()}.`,
            (dayEnd - now) / 1000,
            day.limit,
            new Date(dayEnd),
          );
        }
      }
      const minute = minuteWindow(client, now);
      if (minute && used(minute) >= minute.limit) {
        throw new RateLimited(
          `Too many requests: this API key may make ${minute.limit} requests per minute.`,
          (minute.endsAt - now) / 1000,
          minute.limit,
          new Date(minute.endsAt),
        );
      }
      if (minute) minute.pending += 1;
      if (day) day.pending += 1;
      return stateOf(minute);
    },
    flush,
    worker: {
      name: 'rate-limit sync',
      start() {
        timer ??= setInterval(() => {
          if (pause.ready(options.clock.now().getTime())) void flush();
        }, syncIntervalMs);
        timer.unref();
      },
      async stop() {
        clearInterval(timer);
        timer = undefined;
        await flush();
      },
    },
  };
}
