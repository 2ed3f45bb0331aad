/** How early an access token is refreshed. */
export interface RefreshPolicy {
  /** Share of the lifetime after which the token is due (e.g. 0.85). */
  atLifetimeFraction: number;
  /** Due at the latest this long before expiry, capped at a tenth of the lifetime for short-lived tokens. */
  safetyMarginSeconds: number;
}

/** Share of the lifetime by which due times are spread, so tokens issued together are not refreshed together. */
const jitterShare = 0.05;

/**
 * When an access token issued at `issuedAt` and expiring at `expiresAt` should be refreshed: after
 * the policy's share of its lifetime, minus up to 5% jitter, and never later than the safety margin
 * before expiry. A 7-day token is due about a day ahead; a 60-second token after about 50 seconds.
 *
 * @example
 * refreshDueAt(now, tokenSet.accessTokenExpiresAt, { atLifetimeFraction: 0.85, safetyMarginSeconds: 3600 });
 */
export function refreshDueAt(issuedAt: Date, expiresAt: Date, policy: RefreshPolicy, random: () => number = Math.random): Date {
  const start = issuedAt.getTime();
  const lifetime = expiresAt.getTime() - start;
  if (lifetime <= 0) return new Date(start);
  const margin = Math.min(policy.safetyMarginSeconds * 1000, lifetime * 0.1);
  const byFraction = start + lifetime * policy.atLifetimeFraction - random() * lifetime * jitterShare;
  return new Date(Math.max(start, Math.min(byFraction, expiresAt.getTime() - margin)));
}
