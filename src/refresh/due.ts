import type { Connection } from '../connections/model.js';

/** Tokens closer than this to expiry are refreshed before they are handed out, whatever the schedule says. */
export const minimumValidityMs = 60_000;

/**
 * When that refresh cannot finish within the caller's wait (TikTok slow, another replica holding the
 * claim), a token still valid for longer than this is handed out rather than refused (#15 item 4):
 * a caller can use 20 s of token; a 503 it cannot use at all.
 */
export const lastResortValidityMs = 10_000;

/** Until when (epoch ms) a token whose refresh did not finish in time is still worth handing out ({@link lastResortValidityMs}). */
export function servableUntil(token: Pick<Connection, 'accessTokenExpiresAt'>): number {
  return token.accessTokenExpiresAt.getTime() - lastResortValidityMs;
}

/** Whether a token whose refresh did not finish in time is still worth handing out ({@link servableUntil}). */
export function isServableWhileRefreshing(token: Pick<Connection, 'accessTokenExpiresAt'>, now: number): boolean {
  return servableUntil(token) > now;
}

/**
 * How badly a token needs refreshing, the one rule the token path and the refresher ask:
 * - `urgent`: it expires within {@link minimumValidityMs} (or has expired): a caller must wait for a refresh;
 * - `due`: its refresh time has come but it is still good: serve it, and refresh in the background;
 * - `fresh`: nothing to do.
 *
 * @example
 * refreshUrgency(row, clock.now().getTime()) // 'due': answer with the stored token, refresh behind it
 */
export function refreshUrgency(token: Pick<Connection, 'accessTokenExpiresAt' | 'refreshDueAt'>, now: number): 'fresh' | 'due' | 'urgent' {
  if (token.accessTokenExpiresAt.getTime() - now <= minimumValidityMs) return 'urgent';
  return token.refreshDueAt !== null && token.refreshDueAt.getTime() <= now ? 'due' : 'fresh';
}

/** Whether the token wants a refresh at all ({@link refreshUrgency} is not `fresh`). */
export function isTokenDue(token: Pick<Connection, 'accessTokenExpiresAt' | 'refreshDueAt'>, now: number): boolean {
  return refreshUrgency(token, now) !== 'fresh';
}
