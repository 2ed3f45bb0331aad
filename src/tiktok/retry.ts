import { TikTokRateLimited, TikTokUnavailable } from './errors.js';

const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/**
 * Whether another attempt is safe: rate limits for every method (TikTok did not act on the call);
 * unavailability (network, timeout, 5xx, 36009003, 36009007) only for idempotent methods, since a
 * POST may have taken effect.
 *
 * @example
 * isRetryable(new TikTokUnavailable('503', { method: 'POST', apiPath: '/x' }), 'POST') // false
 */
export function isRetryable(error: unknown, method: string): boolean {
  if (error instanceof TikTokRateLimited) return true;
  if (error instanceof TikTokUnavailable) return idempotentMethods.has(method.toUpperCase());
  return false;
}

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs?: number;
  /** A number in [0, 1); injected so tests are deterministic. */
  random: () => number;
}

/**
 * Jittered exponential backoff before attempt `attempt + 1` (attempt counts from 1): a random
 * delay between half and all of `baseDelayMs × 2^(attempt − 1)`, capped at `maxDelayMs` (default 20 s).
 *
 * @example
 * backoffDelay(3, { baseDelayMs: 100, random: () => 0.5 }) // 300 (half-way between 200 and 400)
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxDelayMs ?? 20_000, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * options.random());
}
