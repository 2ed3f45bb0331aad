import type { ConnectionStatus } from '../../connections/model.js';
import type { SqlRunner } from '../sql.js';
import type { ClaimGuard } from './refresh-claims.js';

/**
 * The only place that writes a connection's `status` or inserts into `outbox_events`. The domain
 * (connections/lifecycle) decides what may move and builds the event; this store makes each move one
 * compare-and-set statement with its event, whose payload gets the row's own facts (`connectionId`,
 * `openId`, `merchantRef`, `status`, and `previousStatus` for moves) merged over the writer's details.
 */

/** A status move, as the lifecycle planned it. */
export interface TransitionWrite {
  id: string;
  /** The statuses the move applies from (compare-and-set); in any other, nothing is written. */
  from: readonly ConnectionStatus[];
  to: ConnectionStatus;
  /** The status reason people read; `{ keep: true }` leaves the current one. */
  reason: string | null | { keep: true };
  /** `stop`: no due time and no lease any more; `keep`: both as they are; `restore`: a due time of `at` if there is none. */
  schedule: 'stop' | 'keep' | 'restore';
  /** A refresh error that caused the move: recorded as the last error, counted as a failure. */
  error?: string;
  /** Only the claim holder at the expected token version may make the move. */
  guard?: ClaimGuard;
  event: EventWrite;
  at: Date;
}

export interface EventWrite {
  type: string;
  /** The payload without the row's facts. */
  details: Record<string, unknown>;
}

/** Active connections whose authorization is within 30 days of its end, for warnings. */
export interface ExpiryWarningCandidate {
  id: string;
  refreshTokenExpiresAt: Date;
  expiryWarningDays: number | null;
}

export type LifecycleStore = ReturnType<typeof createLifecycleStore>;

const facts = `'connectionId', c.id, 'openId', c.open_id, 'merchantRef', c.merchant_ref, 'status', c.status::text`;

export function createLifecycleStore(sql: SqlRunner) {
  return {
    /** Makes the move and writes its event, in one statement; false (nothing written) when the guard refused it. */
    async applyTransition(write: TransitionWrite): Promise<boolean> {
      const rows = await sql.query(
        `WITH previous AS (SELECT id, status FROM connections WHERE id = $1 FOR UPDATE),
         changed AS (
           UPDATE connections c SET status = $2::"ConnectionStatus", status_reason = CASE WHEN $12::boolean THEN c.status_reason ELSE $3 END,
             refresh_due_at = CASE $4::text WHEN 'stop' THEN NULL WHEN 'restore' THEN COALESCE(c.refresh_due_at, $5) ELSE c.refresh_due_at END,
             claim_owner = CASE WHEN $4::text = 'stop' THEN NULL ELSE c.claim_owner END,
             claim_expires_at = CASE WHEN $4::text = 'stop' THEN NULL ELSE c.claim_expires_at END,
             last_refresh_error = COALESCE($6, c.last_refresh_error),
             refresh_failure_count = c.refresh_failure_count + CASE WHEN $6::text IS NULL THEN 0 ELSE 1 END,
             updated_at = $5
           FROM previous p
           WHERE c.id = p.id AND p.status::text = ANY($7::text[])
             AND ($8::text IS NULL OR (c.claim_owner = $8 AND c.token_version = $9))
           RETURNING c.*, p.status::text AS previous_status)
         INSERT INTO outbox_events (type, connection_id, payload, created_at)
         SELECT $10, c.id, jsonb_build_object(${facts}, 'previousStatus', c.previous_status) || $11::jsonb, $5 FROM changed c
         RETURNING connection_id`,
        [write.id, write.to, typeof write.reason === 'object' && write.reason !== null ? null : write.reason, write.schedule, write.at, write.error ?? null, write.from, write.guard?.owner ?? null,
          write.guard?.expectedVersion ?? null, write.event.type, JSON.stringify(write.event.details),
          typeof write.reason === 'object' && write.reason !== null],
      );
      return rows.length > 0;
    },

    /** Writes an event that changes no status (`connection.created`, `connection.refresh_requested`); false for an unknown connection. */
    async appendEvent(connectionId: string, event: EventWrite, at: Date): Promise<boolean> {
      const rows = await sql.query(
        `INSERT INTO outbox_events (type, connection_id, payload, created_at)
         SELECT $2, c.id, jsonb_build_object(${facts}) || $3::jsonb, $4 FROM connections c WHERE c.id = $1
         RETURNING connection_id`,
        [connectionId, event.type, JSON.stringify(event.details), at],
      );
      return rows.length > 0;
    },

    /**
     * Writes a relayed TikTok webhook (`tiktok.<name>`) as it is, beside the connection events (same
     * ids, same feed, same deliveries); answers its id.
     */
    async appendRelay(input: { type: string; connectionId: string | null; payload: Record<string, unknown>; at: Date }): Promise<string> {
      const [row] = await sql.query<{ id: string }>(
        'INSERT INTO outbox_events (type, connection_id, payload, created_at) VALUES ($1, $2, $3::jsonb, $4) RETURNING id::text AS id',
        [input.type, input.connectionId, JSON.stringify(input.payload), input.at],
      );
      return row!.id;
    },

    /** Records that the `days` warning was sent, with its event, once: only the first writer gets true. */
    async recordExpiryWarning(input: { id: string; days: number; at: Date; event: EventWrite }): Promise<boolean> {
      const rows = await sql.query(
        `WITH warned AS (
           UPDATE connections SET expiry_warning_days = $2, updated_at = $3
           WHERE id = $1 AND status = 'active' AND (expiry_warning_days IS NULL OR expiry_warning_days > $2)
           RETURNING *)
         INSERT INTO outbox_events (type, connection_id, payload, created_at)
         SELECT $4, c.id, jsonb_build_object(${facts}) || $5::jsonb, $3 FROM warned c RETURNING connection_id`,
        [input.id, input.days, input.at, input.event.type, JSON.stringify(input.event.details)],
      );
      return rows.length > 0;
    },

    /**
     * Active authorizations that have reached a warning threshold (30, 7, 1 days before they end)
     * they were not yet warned for; a range scan of the (status, refresh_token_expires_at) index.
     */
    async selectExpiryWarningsDue(now: Date, limit: number): Promise<ExpiryWarningCandidate[]> {
      const rows = await sql.query<{ id: string; refresh_token_expires_at: Date | string; expiry_warning_days: number | null }>(
        `SELECT id, refresh_token_expires_at, expiry_warning_days FROM connections
         WHERE status = 'active' AND refresh_token_expires_at > $1 AND refresh_token_expires_at <= $1::timestamptz + interval '30 days'
           AND (expiry_warning_days IS NULL OR expiry_warning_days > CASE
                  WHEN refresh_token_expires_at <= $1::timestamptz + interval '1 day' THEN 1
                  WHEN refresh_token_expires_at <= $1::timestamptz + interval '7 days' THEN 7 ELSE 30 END)
         ORDER BY refresh_token_expires_at LIMIT $2`,
        [now, limit],
      );
      return rows.map((row) => ({
        id: row.id,
        refreshTokenExpiresAt: new Date(row.refresh_token_expires_at),
        expiryWarningDays: row.expiry_warning_days,
      }));
    },

    /** Active authorizations whose refresh token has ended (and that nobody is refreshing right now). */
    async selectEndedAuthorizations(now: Date, limit: number): Promise<{ id: string; refreshTokenExpiresAt: Date }[]> {
      const rows = await sql.query<{ id: string; refresh_token_expires_at: Date | string }>(
        `SELECT id, refresh_token_expires_at FROM connections WHERE status = 'active' AND refresh_token_expires_at <= $1
           AND (claim_expires_at IS NULL OR claim_expires_at < $1)
         ORDER BY refresh_token_expires_at LIMIT $2`,
        [now, limit],
      );
      return rows.map((row) => ({ id: row.id, refreshTokenExpiresAt: new Date(row.refresh_token_expires_at) }));
    },

    /** `refresh_lost` connections whose access token has expired (a scan of the status index: such rows are rare). */
    async selectLostExpired(now: Date, limit: number): Promise<{ id: string; accessTokenExpiresAt: Date }[]> {
      const rows = await sql.query<{ id: string; access_token_expires_at: Date | string }>(
        `SELECT id, access_token_expires_at FROM connections WHERE status = 'refresh_lost' AND access_token_expires_at <= $1
         ORDER BY access_token_expires_at LIMIT $2`,
        [now, limit],
      );
      return rows.map((row) => ({ id: row.id, accessTokenExpiresAt: new Date(row.access_token_expires_at) }));
    },

    async countByStatus(): Promise<Partial<Record<ConnectionStatus, number>>> {
      const rows = await sql.query<{ status: ConnectionStatus; count: string | number }>(
        'SELECT status::text AS status, count(*) AS count FROM connections GROUP BY status',
      );
      return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
    },
  };
}
