import type { Sealed } from '../../shared/sealed.js';
import type { SqlRunner } from '../sql.js';
import type { ConnectionStatus } from './connection-records.js';

/** What the refresher needs of one connection. Tokens stay sealed; only `vault/` opens them. */
export interface RefreshState {
  id: string;
  openId: string;
  merchantRef: string | null;
  status: ConnectionStatus;
  statusReason: string | null;
  grantedScopes: string[];
  accessTokenSealed: Sealed;
  refreshTokenSealed: Sealed;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  refreshDueAt: Date | null;
  tokenVersion: number;
  claimOwner: string | null;
  claimExpiresAt: Date | null;
  refreshFailureCount: number;
  lastRefreshedAt: Date | null;
  lastRefreshError: string | null;
  /** A refresh may have reached TikTok without its answer being stored: the refresh token may be rotated away. */
  refreshOutcomeUnknownAt: Date | null;
  expiryWarningDays: number | null;
}

/** An event for other systems, written in the same statement as the state change it announces. */
export interface OutboxEventInput {
  type: string;
  payload: Record<string, unknown>;
}

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
  grantedScopes: string[];
  refreshDueAt: Date;
}

export type RefreshStore = ReturnType<typeof createRefreshStore>;

const columns = `id, open_id, merchant_ref, status::text AS status, status_reason, granted_scopes, access_token_sealed,
  refresh_token_sealed, access_token_expires_at, refresh_token_expires_at, refresh_due_at, token_version, claim_owner,
  claim_expires_at, refresh_failure_count, last_refreshed_at, last_refresh_error, refresh_outcome_unknown_at, expiry_warning_days`;

/** The one "is it due" predicate, shared by selection and claim so they can never disagree. */
const duePredicate = `refresh_due_at <= $1::timestamptz AND status = 'active' AND (claim_expires_at IS NULL OR claim_expires_at < $1)`;

/** The due selection ($1 now, $2 limit), exported so the bench and tests EXPLAIN the very statement the sweeper runs. */
export const dueSelectionSql = `SELECT id FROM connections WHERE ${duePredicate} ORDER BY refresh_due_at LIMIT $2`;

/**
 * Parameterised SQL for due selection, the cross-process claim (a lease where only the winner's
 * UPDATE returns a row), compare-and-set token writes and status changes with their outbox event.
 * Takes a {@link SqlRunner}, so the same store works inside a transaction.
 */
export function createRefreshStore(sql: SqlRunner) {
  const one = async (text: string, params: unknown[]) => (await sql.query<Row>(text, params)).map(toRefreshState)[0];

  return {
    read: (id: string) => one(`SELECT ${columns} FROM connections WHERE id = $1`, [id]),

    /** Ids of active, unclaimed connections whose refresh is due, oldest first; a range scan of the refresh_due_at index. */
    async selectDue(now: Date, limit: number): Promise<string[]> {
      const rows = await sql.query<{ id: string }>(dueSelectionSql, [now, limit]);
      return rows.map((row) => row.id);
    },

    /**
     * Takes the lease on one connection if it is active, unclaimed (or its lease ran out) and, unless
     * `force`, still due. Only the winner gets the row back, as it is after the claim. A lease that ran
     * out while held marks the outcome of that attempt as unknown (the holder may have died after TikTok answered).
     */
    claim(input: { id: string; owner: string; now: Date; leaseUntil: Date; force: boolean }) {
      return one(
        `UPDATE connections SET claim_owner = $2, claim_expires_at = $3,
           refresh_outcome_unknown_at = CASE WHEN claim_owner IS NOT NULL THEN COALESCE(refresh_outcome_unknown_at, claim_expires_at)
                                             ELSE refresh_outcome_unknown_at END
         WHERE id = $4 AND status = 'active' AND (claim_expires_at IS NULL OR claim_expires_at < $1)
           AND ($5::boolean OR refresh_due_at <= $1)
         RETURNING ${columns}`,
        [input.now, input.owner, input.leaseUntil, input.id, input.force],
      );
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
           access_token_expires_at = $7, refresh_token_expires_at = $8, granted_scopes = $9::text[],
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

    /**
     * Moves a connection from one of `from` to `to` (no more refreshes), with its outbox event, in one
     * statement. With a `guard`, only the claim holder at the expected version may do it.
     */
    async changeStatus(input: {
      id: string;
      from: ConnectionStatus[];
      to: ConnectionStatus;
      reason: string;
      now: Date;
      error?: string;
      guard?: ClaimGuard;
      event: OutboxEventInput;
    }): Promise<boolean> {
      const rows = await sql.query(
        `WITH changed AS (
           UPDATE connections SET status = $2::"ConnectionStatus", status_reason = $3, refresh_due_at = NULL,
             claim_owner = NULL, claim_expires_at = NULL, last_refresh_error = COALESCE($4, last_refresh_error),
             refresh_failure_count = refresh_failure_count + CASE WHEN $4 IS NULL THEN 0 ELSE 1 END, updated_at = $5
           WHERE id = $1 AND status::text = ANY($6::text[])
             AND ($7::text IS NULL OR (claim_owner = $7 AND token_version = $8))
           RETURNING id)
         INSERT INTO outbox_events (type, connection_id, payload, created_at)
         SELECT $9, id, $10::jsonb, $5 FROM changed RETURNING connection_id`,
        [input.id, input.to, input.reason, input.error ?? null, input.now, input.from, input.guard?.owner ?? null,
          input.guard?.expectedVersion ?? null, input.event.type, JSON.stringify(input.event.payload)],
      );
      return rows.length > 0;
    },

    /**
     * Active authorizations that have reached a warning threshold (30, 7, 1 days before they end)
     * they were not yet warned for; a range scan of the (status, refresh_token_expires_at) index.
     */
    async selectExpiryWarningsDue(
      now: Date,
      limit: number,
    ): Promise<Pick<RefreshState, 'id' | 'openId' | 'merchantRef' | 'refreshTokenExpiresAt' | 'expiryWarningDays'>[]> {
      const rows = await sql.query<Row>(
        `SELECT id, open_id, merchant_ref, refresh_token_expires_at, expiry_warning_days FROM connections
         WHERE status = 'active' AND refresh_token_expires_at > $1 AND refresh_token_expires_at <= $1::timestamptz + interval '30 days'
           AND (expiry_warning_days IS NULL OR expiry_warning_days > CASE
                  WHEN refresh_token_expires_at <= $1::timestamptz + interval '1 day' THEN 1
                  WHEN refresh_token_expires_at <= $1::timestamptz + interval '7 days' THEN 7 ELSE 30 END)
         ORDER BY refresh_token_expires_at LIMIT $2`,
        [now, limit],
      );
      return rows.map((row) => ({
        id: row.id,
        openId: row.open_id,
        merchantRef: row.merchant_ref,
        refreshTokenExpiresAt: row.refresh_token_expires_at,
        expiryWarningDays: row.expiry_warning_days,
      }));
    },

    /** Records that the `days` warning was sent, with its outbox event, once: only the first writer gets true. */
    async recordExpiryWarning(input: { id: string; days: number; now: Date; event: OutboxEventInput }): Promise<boolean> {
      const rows = await sql.query(
        `WITH warned AS (
           UPDATE connections SET expiry_warning_days = $2, updated_at = $3
           WHERE id = $1 AND status = 'active' AND (expiry_warning_days IS NULL OR expiry_warning_days > $2)
           RETURNING id)
         INSERT INTO outbox_events (type, connection_id, payload, created_at)
         SELECT $4, id, $5::jsonb, $3 FROM warned RETURNING connection_id`,
        [input.id, input.days, input.now, input.event.type, JSON.stringify(input.event.payload)],
      );
      return rows.length > 0;
    },

    /** Active authorizations whose refresh token has ended (and that nobody is refreshing right now). */
    async selectEndedAuthorizations(now: Date, limit: number): Promise<string[]> {
      const rows = await sql.query<{ id: string }>(
        `SELECT id FROM connections WHERE status = 'active' AND refresh_token_expires_at <= $1
           AND (claim_expires_at IS NULL OR claim_expires_at < $1)
         ORDER BY refresh_token_expires_at LIMIT $2`,
        [now, limit],
      );
      return rows.map((row) => row.id);
    },

    async connectionIdByShopId(shopId: string): Promise<string | undefined> {
      const rows = await sql.query<{ connection_id: string }>('SELECT connection_id FROM shops WHERE id = $1', [shopId]);
      return rows[0]?.connection_id;
    },

    async connectionIdByOpenId(openId: string): Promise<string | undefined> {
      const rows = await sql.query<{ id: string }>('SELECT id FROM connections WHERE open_id = $1', [openId]);
      return rows[0]?.id;
    },

    /** First sight of a webhook delivery: true; a retry of one already handled: false. */
    async recordWebhookReceipt(input: { notificationId: string; type: number; shopId: string | null; now: Date }): Promise<boolean> {
      const rows = await sql.query(
        `INSERT INTO webhook_receipts (notification_id, type, shop_id, received_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (notification_id) DO NOTHING RETURNING notification_id`,
        [input.notificationId, input.type, input.shopId, input.now],
      );
      return rows.length > 0;
    },

    async countByStatus(): Promise<Record<string, number>> {
      const rows = await sql.query<{ status: string; count: string | number }>(
        'SELECT status::text AS status, count(*) AS count FROM connections GROUP BY status',
      );
      return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
    },
  };
}

interface Row {
  id: string;
  open_id: string;
  merchant_ref: string | null;
  status: ConnectionStatus;
  status_reason: string | null;
  granted_scopes: string[] | null;
  access_token_sealed: string;
  refresh_token_sealed: string;
  access_token_expires_at: Date;
  refresh_token_expires_at: Date;
  refresh_due_at: Date | null;
  token_version: number;
  claim_owner: string | null;
  claim_expires_at: Date | null;
  refresh_failure_count: number;
  last_refreshed_at: Date | null;
  last_refresh_error: string | null;
  refresh_outcome_unknown_at: Date | null;
  expiry_warning_days: number | null;
}

function toRefreshState(row: Row): RefreshState {
  return {
    id: row.id,
    openId: row.open_id,
    merchantRef: row.merchant_ref,
    status: row.status,
    statusReason: row.status_reason,
    grantedScopes: row.granted_scopes ?? [],
    accessTokenSealed: row.access_token_sealed as Sealed,
    refreshTokenSealed: row.refresh_token_sealed as Sealed,
    accessTokenExpiresAt: row.access_token_expires_at,
    refreshTokenExpiresAt: row.refresh_token_expires_at,
    refreshDueAt: row.refresh_due_at,
    tokenVersion: Number(row.token_version),
    claimOwner: row.claim_owner,
    claimExpiresAt: row.claim_expires_at,
    refreshFailureCount: Number(row.refresh_failure_count),
    lastRefreshedAt: row.last_refreshed_at,
    lastRefreshError: row.last_refresh_error,
    refreshOutcomeUnknownAt: row.refresh_outcome_unknown_at,
    expiryWarningDays: row.expiry_warning_days,
  };
}
