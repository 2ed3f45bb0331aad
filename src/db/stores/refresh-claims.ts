import type { RefreshState } from '../../connections/model.js';
import type { Sealed } from '../../shared/sealed.js';
import type { SqlRunner } from '../sql.js';
import { mapConnection, selectConnection } from './connection-rows.js';

/** The compare-and-set guard of a write made by a claim holder. */
export interface ClaimGuard {
  id: string;
  owner: string;
  expectedVersion: number;
}

export interface RefreshedTokens {
  accessTokenSealed: Sealed;
  refreshTokenSealed: Sealed;
  encryptionKeyId: string;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  /** null: still unknown (no answer listed them); the stored list and its "unknown" mark stay. */
  grantedScopes: string[] | null;
  refreshDueAt: Date;
}

export type RefreshClaimStore = ReturnType<typeof createRefreshClaimStore>;

const fields = [
  'id', 'app', 'openId', 'merchantRef', 'status', 'statusReason', 'grantedScopes', 'accessTokenSealed', 'refreshTokenSealed',
  'accessTokenExpiresAt', 'refreshTokenExpiresAt', 'refreshDueAt', 'tokenVersion', 'claimOwner', 'claimExpiresAt',
  'refreshFailureCount', 'lastRefreshedAt', 'lastRefreshError', 'refreshOutcomeUnknownAt', 'expiryWarningDays',
  'refreshAttemptedAt',
] as const satisfies readonly (keyof RefreshState)[];
const columns = selectConnection(fields);

/** The one "is it due" predicate, shared by selection and claim so they can never disagree. */
const duePredicate = `refresh_due_at <= $1::timestamptz AND status = 'active' AND (claim_expires_at IS NULL OR claim_expires_at < $1)`;

/** The due selection ($1 now, $2 limit), exported so the bench and tests EXPLAIN the very statement the sweeper runs. */
export const dueSelectionSql = `SELECT id FROM connections WHERE ${duePredicate} ORDER BY refresh_due_at LIMIT $2`;

/**
 * The due selection closest to expiry first (#15 item 2), used while the refresh circuit is open and until
 * the backlog after it is worked off: tokens about to expire go before those that still have days. It
 * reads every due row (a sort, not a range with a limit), so it is not the everyday statement.
 */
export const dueByExpirySelectionSql = `SELECT id FROM connections WHERE ${duePredicate} ORDER BY access_token_expires_at, refresh_due_at LIMIT $2`;

/**
 * Due selection, the cross-process claim (a lease where only the winner's UPDATE returns a row) and
 * the claim holder's compare-and-set token writes. Status changes are the lifecycle store's.
 * Takes a {@link SqlRunner}, so the same store works inside a transaction.
 */
export function createRefreshClaimStore(sql: SqlRunner) {
  const one = async (text: string, params: unknown[]): Promise<RefreshState | undefined> => {
    const [row] = await sql.query<Record<string, unknown>>(text, params);
    return row ? mapConnection(row, fields) : undefined;
  };

  return {
    read: (id: string) => one(`SELECT ${columns} FROM connections WHERE id = $1`, [id]),

    /**
     * Ids of active, unclaimed connections whose refresh is due, oldest first (a range scan of the
     * refresh_due_at index), or with `byExpiry` closest to expiry first.
     */
    async selectDue(now: Date, limit: number, options: { byExpiry?: boolean } = {}): Promise<string[]> {
      const rows = await sql.query<{ id: string }>(options.byExpiry ? dueByExpirySelectionSql : dueSelectionSql, [now, limit]);
      return rows.map((row) => row.id);
    },

    /**
     * Takes the lease on one connection if it is active, unclaimed (or its lease ran out) and, unless
     * `force`, still due, or, with `retryEvery`, its token expires within `retryEvery.urgentUntil` and no
     * attempt started within `retryEvery.seconds` (an expired token in backoff, retried on request).
     * Only the winner gets the row back, as it is after the claim, with `refresh_attempted_at` = now.
     * The claim is the "attempt in flight" mark: a lease that ran out while held marks the outcome of
     * that attempt as unknown (the holder may have died during TikTok's round trip or after its answer).
     */
    claim(input: { id: string; owner: string; now: Date; leaseUntil: Date; force: boolean; retryEvery?: { seconds: number; urgentUntil: Date } }) {
      return one(
        `UPDATE connections SET claim_owner = $2, claim_expires_at = $3, refresh_attempted_at = $1,
           refresh_outcome_unknown_at = CASE WHEN claim_owner IS NOT NULL THEN COALESCE(refresh_outcome_unknown_at, claim_expires_at)
                                             ELSE refresh_outcome_unknown_at END
         WHERE id = $4 AND status = 'active' AND (claim_expires_at IS NULL OR claim_expires_at < $1)
           AND ($5::boolean OR refresh_due_at <= $1
                OR ($6::int IS NOT NULL AND access_token_expires_at <= $7::timestamptz
                    AND (refresh_attempted_at IS NULL OR refresh_attempted_at <= $1::timestamptz - make_interval(secs => $6::int))))
         RETURNING ${columns}`,
        [input.now, input.owner, input.leaseUntil, input.id, input.force, input.retryEvery?.seconds ?? null, input.retryEvery?.urgentUntil ?? null],
      );
    },

    /**
     * Extends a lease this owner still holds while its TikTok request is in flight, so no other
     * process takes the row over and sends the old refresh token again. False when the lease was lost.
     */
    async renewClaim(guard: ClaimGuard, leaseUntil: Date): Promise<boolean> {
      const rows = await sql.query(
        'UPDATE connections SET claim_expires_at = $4 WHERE id = $1 AND claim_owner = $2 AND token_version = $3 RETURNING id',
        [guard.id, guard.owner, guard.expectedVersion, leaseUntil],
      );
      return rows.length > 0;
    },

    /**
     * The one write after TikTok answered: both sealed tokens, both expiries, scopes, next due time,
     * version + 1, failures reset, lease released. Refused (undefined) for a stale version or a lost claim,
     * so a late writer never overwrites newer tokens. A connection that stopped being active meanwhile
     * still keeps the new tokens, but gets no due time.
     */
    async writeRefreshed(guard: ClaimGuard, now: Date, tokens: RefreshedTokens): Promise<{ tokenVersion: number } | undefined> {
      const rows = await sql.query<{ token_version: number }>(
        `UPDATE connections SET access_token_sealed = $4, refresh_token_sealed = $5, encryption_key_id = $6,
           access_token_expires_at = $7, refresh_token_expires_at = $8, granted_scopes = COALESCE($9::text[], granted_scopes),
           scopes_known = scopes_known OR $9::text[] IS NOT NULL,
           refresh_due_at = CASE WHEN status = 'active' THEN $10::timestamptz ELSE NULL END,
           token_version = token_version + 1, refresh_failure_count = 0, last_refreshed_at = $11,
           last_refresh_error = NULL, refresh_outcome_unknown_at = NULL, claim_owner = NULL, claim_expires_at = NULL,
           expiry_warning_days = CASE WHEN refresh_token_expires_at = $8 THEN expiry_warning_days ELSE NULL END,
           updated_at = $11
         WHERE id = $1 AND claim_owner = $2 AND token_version = $3
         RETURNING token_version`,
        [guard.id, guard.owner, guard.expectedVersion, tokens.accessTokenSealed, tokens.refreshTokenSealed, tokens.encryptionKeyId,
          tokens.accessTokenExpiresAt, tokens.refreshTokenExpiresAt, tokens.grantedScopes, tokens.refreshDueAt, now],
      );
      return rows[0] ? { tokenVersion: Number(rows[0].token_version) } : undefined;
    },

    /** Gives up a lease this owner still holds, changing nothing else (after a refused, stale write). */
    async releaseClaim(guard: Pick<ClaimGuard, 'id' | 'owner'>): Promise<void> {
      await sql.query('UPDATE connections SET claim_owner = NULL, claim_expires_at = NULL WHERE id = $1 AND claim_owner = $2', [guard.id, guard.owner]);
    },

    /** Releases the lease after a failed attempt and schedules the next one; the old tokens stay. */
    async recordFailure(
      guard: ClaimGuard,
      now: Date,
      failure: { error: string; nextAttemptAt: Date; countsAsFailure: boolean; outcomeUnknown: boolean },
    ): Promise<boolean> {
      const rows = await sql.query(
        `UPDATE connections SET claim_owner = NULL, claim_expires_at = NULL, last_refresh_error = $4,
           refresh_failure_count = refresh_failure_count + CASE WHEN $5::boolean THEN 1 ELSE 0 END,
           refresh_outcome_unknown_at = CASE WHEN $6::boolean THEN COALESCE(refresh_outcome_unknown_at, $8::timestamptz)
                                             ELSE refresh_outcome_unknown_at END,
           refresh_due_at = CASE WHEN status = 'active' THEN $7::timestamptz ELSE NULL END, updated_at = $8
         WHERE id = $1 AND claim_owner = $2 AND token_version = $3
         RETURNING id`,
        [guard.id, guard.owner, guard.expectedVersion, failure.error, failure.countsAsFailure, failure.outcomeUnknown, failure.nextAttemptAt, now],
      );
      return rows.length > 0;
    },
  };
}
