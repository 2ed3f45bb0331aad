import type { AttemptOutcome } from './model.js';

/** Longest wait a receiver's `Retry-After` may ask for. */
export const maxRetryAfterMs = 3_600_000;

/** What one HTTP attempt came to, as the worker saw it. */
export type AttemptResult = { kind: 'response'; status: number; retryAfter: string | null } | { kind: 'network'; error: string };

/**
 * Whether an attempt's result is worth retrying: network errors and timeouts, 5xx, 429, and the 4xx
 * that a later try may fix (408 timeout, 409 conflict, 425 too early). Other 4xx are final.
 */
export function isRetryable(result: AttemptResult): boolean {
  if (result.kind === 'network') return true;
  return result.status >= 500 || [408, 409, 425, 429].includes(result.status);
}

/**
 * The outcome of attempt number `attempt` and, for a retry, when the next one is due: the schedule's
 * wait for this retry with ±20 % jitter, or the receiver's `Retry-After` (seconds or an HTTP date)
 * on 429 and 503, clamped to [0, 1 h]. Out of attempts (schedule length + 1): dead.
 */
export function nextStep(input: { result: AttemptResult; attempt: number; scheduleMs: readonly number[]; now: Date; random: () => number }): { outcome: AttemptOutcome; nextAttemptAt: Date | null } {
  const { result } = input;
  if (result.kind === 'response' && result.status >= 200 && result.status < 300) return { outcome: 'delivered', nextAttemptAt: null };
  if (!isRetryable(result) || input.attempt > input.scheduleMs.length) return { outcome: 'dead', nextAttemptAt: null };
  const wait = input.scheduleMs[input.attempt - 1]!;
  const asked = result.kind === 'response' && [429, 503].includes(result.status) ? retryAfterMs(result.retryAfter, input.now) : undefined;
  const delay = asked ?? Math.round(wait * (0.8 + 0.4 * input.random()));
  return { outcome: 'retry', nextAttemptAt: new Date(input.now.getTime() + delay) };
}

function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now.getTime();
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(ms, 0), maxRetryAfterMs);
}
