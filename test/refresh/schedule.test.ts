import { describe, expect, it } from 'vitest';
import { refreshDueAt } from '../../src/refresh/schedule.js';

const policy = { atLifetimeFraction: 0.85, safetyMarginSeconds: 3600 };
const issued = new Date('2026-11-23T00:00:00Z');
const after = (seconds: number) => new Date(issued.getTime() + seconds * 1000);

describe('refreshDueAt', () => {
  it('makes a 7-day token due about a day before it expires', () => {
    const expires = after(7 * 86_400);
    const earliest = refreshDueAt(issued, expires, policy, () => 1);
    const latest = refreshDueAt(issued, expires, policy, () => 0);
    expect(latest.toISOString()).toBe(after(0.85 * 7 * 86_400).toISOString());
    expect((expires.getTime() - latest.getTime()) / 3_600_000).toBeCloseTo(25.2, 1);
    expect((expires.getTime() - earliest.getTime()) / 3_600_000).toBeCloseTo(33.6, 1);
  });

  it('makes a 60-second token due after about 50 seconds, never inside the last tenth of its life', () => {
    const expires = after(60);
    for (const r of [0, 0.5, 1]) {
      const due = refreshDueAt(issued, expires, policy, () => r);
      expect(due.getTime()).toBeLessThanOrEqual(after(54).getTime());
      expect(due.getTime()).toBeGreaterThanOrEqual(after(48).getTime());
    }
  });

  it('never schedules later than the safety margin before expiry', () => {
    const due = refreshDueAt(issued, after(86_400), { atLifetimeFraction: 0.99, safetyMarginSeconds: 3600 }, () => 0);
    expect(due.toISOString()).toBe(after(86_400 - 3600).toISOString());
  });

  it('makes an already expired token due at once', () => {
    expect(refreshDueAt(issued, after(-5), policy).toISOString()).toBe(issued.toISOString());
  });

  it('spreads tokens issued together (jitter)', () => {
    const dues = new Set([0.1, 0.4, 0.9].map((r) => refreshDueAt(issued, after(7 * 86_400), policy, () => r).getTime()));
    expect(dues.size).toBe(3);
  });
});
