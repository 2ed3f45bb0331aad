import { describe, expect, it } from 'vitest';
import { maxRetryAfterMs, nextStep, type AttemptResult } from '../../src/webhooks/retry-policy.js';

/** The default schedule (WEBHOOK_RETRY_SCHEDULE_SECONDS): 7 waits, so 8 attempts over about a day. */
const scheduleMs = [60, 300, 900, 3600, 7200, 18000, 54000].map((seconds) => seconds * 1000);
const now = new Date('2026-12-01T12:00:00.000Z');
const step = (result: AttemptResult, attempt = 1) => nextStep({ result, attempt, scheduleMs, now, random: () => 0.5 });
const answer = (status: number, retryAfter: string | null = null): AttemptResult => ({ kind: 'response', status, retryAfter });
const waitOf = (result: AttemptResult, attempt = 1) => step(result, attempt).nextAttemptAt!.getTime() - now.getTime();

describe('the retry policy of deliveries', () => {
  it('is delivered on any 2xx', () => {
    expect(step(answer(204))).toStrictEqual({ outcome: 'delivered', nextAttemptAt: null });
  });

  it.each([408, 409, 425, 429, 500, 502, 503, 504])('retries a %i', (status) => {
    expect(step(answer(status)).outcome).toBe('retry');
  });

  it('retries network errors and timeouts', () => {
    expect(step({ kind: 'network', error: 'timed out after 10 s' }).outcome).toBe('retry');
  });

  it.each([400, 401, 403, 404, 410, 413, 422, 301])('does not retry a %i: dead letter at once', (status) => {
    expect(step(answer(status))).toStrictEqual({ outcome: 'dead', nextAttemptAt: null });
  });

  it('waits by the schedule, with jitter within ±20 %', () => {
    expect(waitOf(answer(500), 1)).toBe(60_000);
    expect(waitOf(answer(500), 4)).toBe(3_600_000);
    const low = nextStep({ result: answer(500), attempt: 2, scheduleMs, now, random: () => 0 }).nextAttemptAt!.getTime() - now.getTime();
    const high = nextStep({ result: answer(500), attempt: 2, scheduleMs, now, random: () => 1 }).nextAttemptAt!.getTime() - now.getTime();
    expect([low, high]).toStrictEqual([240_000, 360_000]);
  });

  it('makes 8 attempts over about a day, then dead-letters', () => {
    expect(step(answer(503), 7).outcome).toBe('retry');
    expect(step(answer(503), 8)).toStrictEqual({ outcome: 'dead', nextAttemptAt: null });
    const total = scheduleMs.reduce((sum, wait) => sum + wait, 0);
    expect(total / 3_600_000).toBeGreaterThan(20);
    expect(total / 3_600_000).toBeLessThan(26);
  });

  it("honours 429's and 503's Retry-After in seconds or as a date, clamped to [0, 1 h]", () => {
    expect(waitOf(answer(429, '1'))).toBe(1000);
    expect(waitOf(answer(503, new Date(now.getTime() + 120_000).toUTCString()))).toBe(120_000);
    expect(waitOf(answer(429, '86400'))).toBe(maxRetryAfterMs);
    expect(waitOf(answer(429, new Date(now.getTime() - 60_000).toUTCString()))).toBe(0);
    // Unreadable: the schedule decides.
    expect(waitOf(answer(429, 'soon'))).toBe(60_000);
    // Only 429 and 503 are asked.
    expect(waitOf(answer(500, '1'))).toBe(60_000);
  });
});
