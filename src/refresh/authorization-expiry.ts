import type { AuditLog } from '../audit/audit-log.js';
import type { Lifecycle } from '../connections/lifecycle/index.js';
import type { LifecycleStore } from '../db/stores/lifecycle-store.js';
import type { Logger } from '../shared/logger.js';

/** Days before the authorization (refresh token) ends at which merchants are warned. */
export const expiryWarningDays = [30, 7, 1] as const;

const dayMs = 86_400_000;

/** The warning threshold an authorization ending at `expiresAt` has reached: 1, 7 or 30 (30 also beyond). */
export function warningThreshold(now: Date, expiresAt: Date): number {
  const left = expiresAt.getTime() - now.getTime();
  return left <= dayMs ? 1 : left <= 7 * dayMs ? 7 : 30;
}

export interface ExpiryDeps {
  lifecycle: Pick<Lifecycle, 'transition' | 'warnExpiring'>;
  store: Pick<LifecycleStore, 'selectEndedAuthorizations' | 'selectExpiryWarningsDue' | 'selectLostExpired'>;
  audit: Pick<AuditLog, 'record'>;
  logger: Logger;
}

/**
 * Sends the `authorization.expiring` event (outbox + audit) for one threshold, once: the store's
 * compare-and-set on expiry_warning_days lets only the first replica (or webhook) through.
 */
export async function warnExpiring(
  deps: Pick<ExpiryDeps, 'lifecycle' | 'audit'>,
  input: { id: string; expiresAt: Date; now: Date; source: 'sweep' | 'webhook' },
): Promise<boolean> {
  const days = warningThreshold(input.now, input.expiresAt);
  const details = { expiresAt: input.expiresAt.toISOString(), daysBefore: days, source: input.source, occurredAt: input.now.toISOString() };
  const sent = await deps.lifecycle.warnExpiring({ id: input.id, days, details });
  if (sent) {
    deps.audit.record({
      actorType: input.source === 'webhook' ? 'tiktok' : 'system', action: 'authorization.expiring', outcome: 'success',
      connectionId: input.id, detail: { expiresAt: details.expiresAt, daysBefore: days, source: input.source },
    });
  }
  return sent;
}

/**
 * One sweep's share: warn authorizations that reached a threshold, mark ended ones `expired`, and
 * `refresh_lost` ones whose access token ran out `needs_reauth` (counted in `expired`).
 */
export async function sweepAuthorizationExpiry(deps: ExpiryDeps, now: Date, limit: number): Promise<{ warned: number; expired: number }> {
  let warned = 0;
  let expired = 0;
  /** One sweeper move with its audit event and log line; counted when this sweep made it. */
  const end = async (id: string, from: 'active' | 'refresh_lost', to: 'expired' | 'needs_reauth', reason: string, message: string) => {
    const changed = await deps.lifecycle.transition({
      id, from: [from], to, cause: 'sweeper', reason, at: now,
      details: { reason, occurredAt: now.toISOString(), cause: 'sweeper' },
    });
    if (!changed) return;
    expired += 1;
    deps.audit.record({ actorType: 'system', action: `connection.${to}`, outcome: 'success', connectionId: id, detail: { reason } });
    deps.logger.warn({ connectionId: id }, message);
  };
  for (const ended of await deps.store.selectEndedAuthorizations(now, limit)) {
    const reason = `The authorization ended on ${ended.refreshTokenExpiresAt.toISOString()}; the merchant must re-authorize.`;
    await end(ended.id, 'active', 'expired', reason, 'authorization ended; connection marked expired');
  }
  for (const lost of await deps.store.selectLostExpired(now, limit)) {
    const reason = `The access token expired on ${lost.accessTokenExpiresAt.toISOString()} and the refresh token was lost; the merchant must re-authorize.`;
    await end(lost.id, 'refresh_lost', 'needs_reauth', reason, 'the access token of a connection whose refresh token was lost expired; connection needs re-authorization');
  }
  for (const row of await deps.store.selectExpiryWarningsDue(now, limit)) {
    if (await warnExpiring(deps, { id: row.id, expiresAt: row.refreshTokenExpiresAt, now, source: 'sweep' })) warned += 1;
  }
  return { warned, expired };
}
