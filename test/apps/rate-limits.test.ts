import { Writable } from 'node:stream';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { createRateLimits } from '../../src/apps/rate-limits.js';
import { createLogger } from '../../src/shared/logger.js';
import { FakeClock } from '../support/clock.js';

const client = { id: 'client-1', rateLimitPerMinute: 5, dailyQuota: 100 };

function logLines() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('warn', stream), lines };
}

describe('createRateLimits', () => {
  it('shares minute counts through the minute store and day counts through the day store', async () => {
    const clock = new FakeClock('2026-11-23T10:00:30.000Z');
    const stores = { minute: new RateLimiterMemory({ points: 1, duration: 120 }), day: new RateLimiterMemory({ points: 1, duration: 172_800 }) };
    const limits = createRateLimits({ stores, clock, logger: createLogger('silent'), defaultPerMinute: 60, syncIntervalMs: 60_000 });
    limits.consume(client);
    limits.consume(client);
    await limits.flush();
    const minuteKey = `m:client-1:${Date.parse('2026-11-23T10:01:00.000Z')}`;
    const dayKey = `q:client-1:${Date.parse('2026-11-24T00:00:00.000Z')}`;
    expect((await stores.minute.get(minuteKey))?.consumedPoints).toBe(2);
    expect(await stores.minute.get(dayKey)).toBeNull();
    expect((await stores.day.get(dayKey))?.consumedPoints).toBe(2);
    expect((await stores.minute.get(minuteKey))!.msBeforeNext).toBeLessThanOrEqual(120_000);
    await limits.worker.stop();
  });

  describe('while the shared store is down', () => {
    it('keeps deciding locally, logs one line per sync, and forgets windows that have ended', async () => {
      const clock = new FakeClock('2026-11-23T10:00:30.000Z');
      let calls = 0;
      const down = {
        penalty: async () => {
          calls += 1;
          throw new Error('connection refused');
        },
      };
      const { logger, lines } = logLines();
      const limits = createRateLimits({ stores: { minute: down, day: down }, clock, logger, defaultPerMinute: 60, syncIntervalMs: 60_000 });
      for (let i = 0; i < 5; i++) limits.consume(client);
      expect(() => limits.consume(client)).toThrow('Too many requests: this API key may make 5 requests per minute.');
      await limits.flush();
      expect(calls).toBe(2);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'rate-limit counts could not be shared; retrying', windows: 2 });

      clock.advanceSeconds(60);
      calls = 0;
      await limits.flush();
      expect(calls).toBe(1); // only the day window is still worth sharing
      expect(limits.consume(client)?.remaining).toBe(4);
      await limits.worker.stop();
    });
  });
});
