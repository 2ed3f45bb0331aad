import { describe, expect, it } from 'vitest';
import { createOutboundLimiter, outboundKey } from '../../src/tiktok/outbound-limiter.js';

/** A manual scheduler: sleep() parks until run() moves the clock to its wake-up time. */
function scheduler() {
  let now = 0;
  const timers: { at: number; resolve: () => void }[] = [];
  return {
    clock: { now: () => new Date(now) },
    sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: now + ms, resolve })),
    nowMs: () => now,
    async run() {
      await new Promise((resolve) => setImmediate(resolve));
      while (timers.length > 0) {
        timers.sort((a, b) => a.at - b.at);
        const timer = timers.shift()!;
        now = Math.max(now, timer.at);
        timer.resolve();
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

describe('createOutboundLimiter', () => {
  describe('with 50 requests per second and 120 concurrent calls for one shop and API', () => {
    it('never lets more than 50 start in any one-second window, and does not slow another shop', async () => {
      const time = scheduler();
      const limiter = createOutboundLimiter({ requestsPerSecond: 50, clock: time.clock, sleep: time.sleep });
      const startsA: number[] = [];
      const startsB: number[] = [];
      const keyA = outboundKey('GCP_A', '/order/202309/orders/search');
      const keyB = outboundKey('GCP_B', '/order/202309/orders/search');

      const calls = [
        ...Array.from({ length: 120 }, () => limiter.acquire(keyA).then(() => startsA.push(time.nowMs()))),
        ...Array.from({ length: 10 }, () => limiter.acquire(keyB).then(() => startsB.push(time.nowMs()))),
      ];
      await time.run();
      await Promise.all(calls);

      expect(startsA).toHaveLength(120);
      expect(startsB).toStrictEqual(Array(10).fill(0));
      startsA.sort((a, b) => a - b);
      for (let i = 0; i + 50 < startsA.length; i++) expect(startsA[i + 50]! - startsA[i]!).toBeGreaterThanOrEqual(1000);
      expect(startsA.slice(0, 50)).toStrictEqual(Array(50).fill(0));
      expect(startsA[50]).toBe(1000);
      expect(startsA[119]).toBe(2000);
    });
  });

  describe('when calls come slower than the limit', () => {
    it('never waits', async () => {
      let now = 0;
      const sleeps: number[] = [];
      const limiter = createOutboundLimiter({
        requestsPerSecond: 2,
        clock: { now: () => new Date(now) },
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });
      for (let i = 0; i < 10; i++) {
        await limiter.acquire('app /x');
        now += 500;
      }
      expect(sleeps).toStrictEqual([]);
    });
  });
});

describe('outboundKey', () => {
  it("uses 'app' when there is no shop cipher", () => {
    expect(outboundKey(undefined, '/authorization/202309/shops')).toBe('app /authorization/202309/shops');
  });
});
