import type { Connection } from '../connections/model.js';

/** Tokens closer than this to expiry are refreshed before they are handed out, whatever the schedule says. */
export const minimumValidityMs = 60_000;

/**
 * The one rule for "is this token due": its refresh time has come, or it expires within
 * {@link minimumValidityMs}. The token path and the refresher both ask it.
 *
 * @example
 * if (isTokenDue(row, clock.now().getTime())) await refresher.ensureFresh(row.connectionId);
 */
export function isTokenDue(token: Pick<Connection, 'accessTokenExpiresAt' | 'refreshDueAt'>, now: number): boolean {
  return token.accessTokenExpiresAt.getTime() - now <= minimumValidityMs || (token.refreshDueAt !== null && token.refreshDueAt.getTime() <= now);
}

/**
 * How long one token refresh call to TikTok may take: at most half the claim lease, and 10 s, so
 * another replica never takes over a refresh that is still waiting for TikTok.
 */
export function refreshCallTimeoutMs(claimSeconds: number): number {
  return Math.min(10_000, claimSeconds * 500);
}
