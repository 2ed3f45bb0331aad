import type { AuditLog } from '../db/audit-log.js';
import type { RefreshStore } from '../db/stores/refresh-store.js';
import type { Logger } from '../shared/logger.js';
import { statusEvent } from './grant-dead.js';

/** Days before the authorization (refresh token) ends at which merchants are warned. */
export const expiryWarningDays = [30, 7, 1] as const;

const dayMs = 86_400_000;

/** The warning threshold an authorization ending at `expiresAt` has reached: 1, 7 or 30 (30 also beyond). */
export function warningThreshold(now: Date, expiresAt: Date): number {
  const left = expiresAt.getTime() - now.getTime();
  return left <= dayMs ? 1 : left <= 7 * dayMs ? 7 : 30;
}

interface ExpiryDeps {
  store: RefreshStore;
  audit: Pick<AuditLog, 'record'>;
  logger: Logger;
}

/**
 * Sends the `authorization.expiring` event (outbox + audit) for one threshold, once: the store's
 * compare-and-set on expiry_warning_days lets only the first replica (or webhook) through.
 */
export async function warnExpiring(
  deps: ExpiryDeps,
  input: { id: string; openId: string; merchantRef: string | null; expiresAt: Date; now: Date; source: 'sweep' | 'webhook' },
): Promise<boolean> {
  const days = warningThreshold(input.now, input.expiresAt);
  const sent = await deps.store.recordExpiryWarning({
    id: input.id,
    days,
    now: input.now,
    event: {
      type: 'authorization.expiring',
      payload: {
        connectionId: input.id, openId: input.openId, merchantRef: input.merchantRef,
        expiresAt: input.expiresAt.toISOString(), daysBefore: days, occurredAt: input.now.toISOString(),
      },
    },
  });
  if (sent) {
    deps.audit.record({
      actorType: input.source === 'webhook' ? 'tiktok' : 'system', action: 'authorization.expiring', outcome: 'success',
      connectionId: input.id, detail: { expiresAt: input.expiresAt.toISOString(), daysBefore: days, source: input.source },
    });
  }
  return sent;
}

/** One sweep's share: warn authorizations that reached a threshold, and mark ended ones `expired`. */
export async function sweepAuthorizationExpiry(deps: ExpiryDeps, now: Date, limit: number): Promise<{ warned: number; expired: number }> {
  let warned = 0;
  let expired = 0;
  for (const row of await deps.store.selectEndedAuthorizations(now, limit)) {
    const state = await deps.store.read(row);
    if (!state) continue;
    const reason = `The authorization ended on ${state.refreshTokenExpiresAt.toISOString()}; the merchant must re-authorize.`;
    const changed = await deps.store.changeStatus({
      id: state.id, from: ['active'], to: 'expired', reason, now, event: statusEvent(state, 'expired', reason, now),
    });
    if (changed) {
      expired += 1;
      deps.audit.record({ actorType: 'system', action: 'connection.expired', outcome: 'success', connectionId: state.id, detail: { reason } });
      deps.logger.warn({ connectionId: state.id }, 'authorization ended; connection marked expired');
    }
  }
  for (const row of await deps.store.selectExpiryWarningsDue(now, limit)) {
    const sent = await warnExpiring(deps, {
      id: row.id, openId: row.openId, merchantRef: row.merchantRef, expiresAt: row.refreshTokenExpiresAt, now, source: 'sweep',
    });
    if (sent) warned += 1;
  }
  return { warned, expired };
}
