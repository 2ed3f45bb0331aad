import { ScopeMissing } from '../shared/errors.js';
import { isTikTokError, type AnyTikTokError } from '../tiktok/index.js';

/**
 * What a failed refresh means for the connection:
 * - `transient`: TikTok was unavailable, slow, rate limiting or answered nonsense. Keep the old
 *   tokens, serve the old access token until it expires, retry with backoff.
 * - `grant_dead`: TikTok will never accept this refresh token again (36004001, 36004005, 105001
 *   "deauthorized"). Stop; the merchant must re-authorize.
 * - `permission`: a scope problem (105005). A problem for a person, not a refresh failure.
 * - `error`: our side failed (database, decryption). Retried like `transient`.
 */
export type FailureClass = 'transient' | 'grant_dead' | 'permission' | 'error';

export interface ClassifiedFailure {
  failureClass: FailureClass;
  /** The call may have taken effect at TikTok without us learning the new tokens (timeout, 5xx, lost answer). */
  outcomeUnknown: boolean;
  tiktokCode: number | undefined;
  error: AnyTikTokError | ScopeMissing | Error;
}

/**
 * @param previous the connection's refresh record before this attempt: a 36004004 ("invalid auth
 * code") answer to a refresh is retried once, and is a dead grant when the attempt before failed
 * with it too (issue #11 item 9), instead of an hourly retry forever.
 */
export function classifyFailure(error: unknown, previous?: { refreshFailureCount: number; lastRefreshError: string | null }): ClassifiedFailure {
  if (error instanceof ScopeMissing) {
    return { failureClass: 'permission', outcomeUnknown: false, tiktokCode: error.tiktok?.code, error };
  }
  if (!isTikTokError(error)) {
    return { failureClass: 'error', outcomeUnknown: false, tiktokCode: undefined, error: error instanceof Error ? error : new Error(String(error)) };
  }
  const tiktokCode = error.tiktok?.code;
  switch (error.code) {
    case 'tiktok_grant_dead':
      return { failureClass: 'grant_dead', outcomeUnknown: false, tiktokCode, error };
    case 'tiktok_rate_limited':
      // Refused before TikTok did anything.
      return { failureClass: 'transient', outcomeUnknown: false, tiktokCode, error };
    case 'tiktok_unavailable':
    case 'tiktok_bad_response':
      return { failureClass: 'transient', outcomeUnknown: true, tiktokCode, error };
    case 'tiktok_auth_code_invalid':
      if (previous && previous.refreshFailureCount > 0 && previous.lastRefreshError?.includes('(36004004 ')) {
        return { failureClass: 'grant_dead', outcomeUnknown: false, tiktokCode, error };
      }
      return { failureClass: 'transient', outcomeUnknown: false, tiktokCode, error };
    case 'tiktok_token_expired':
    case 'tiktok_request_rejected':
    case 'tiktok_path_not_found':
    case 'tiktok_method_not_allowed':
      // Not about this authorization (app credentials, a TikTok policy): retried slowly, never fatal.
      return { failureClass: 'transient', outcomeUnknown: false, tiktokCode, error };
  }
}

export interface BackoffPolicy {
  baseSeconds: number;
  maxSeconds: number;
  /** Extra delay of up to this share, so failing connections do not retry in step. */
  jitterShare: number;
}

/** 30 s, 1, 2, 4, 8, 16, 32 min, then hourly (+ up to 20%): at most 8 calls in the first hour, 1 an hour after. */
export const defaultBackoff: BackoffPolicy = { baseSeconds: 30, maxSeconds: 3600, jitterShare: 0.2 };

/** When the next attempt may happen after the `failures`-th consecutive failure (1-based). Never sooner than the base delay. */
export function nextAttemptAt(now: Date, failures: number, policy: BackoffPolicy = defaultBackoff, random: () => number = Math.random): Date {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const delay = Math.min(policy.baseSeconds * 2 ** exponent, policy.maxSeconds);
  return new Date(now.getTime() + delay * 1000 * (1 + random() * policy.jitterShare));
}

/**
 * Whether subscribers hear of this failure (`connection.refresh_failed`): a transient or our-side
 * failure that starts a streak (the connection had no failure since its last success). Retries of the
 * same streak stay quiet, so a TikTok outage sends one event per connection, not one per backoff step.
 */
export function startsFailureStreak(failure: ClassifiedFailure, previous: { refreshFailureCount: number }): boolean {
  return (failure.failureClass === 'transient' || failure.failureClass === 'error') && previous.refreshFailureCount === 0;
}
