import type { Database } from '../database.js';
import type { ConnectionStatus } from './connection-records.js';

/** The statuses an admin can set by hand. */
export type AdminTargetStatus = 'suspended' | 'active' | 'revoked';

export interface OutboxEventInput {
  type: string;
  connectionId: string;
  payload: Record<string, unknown>;
  at: Date;
}

export interface StatusChange {
  connectionId: string;
  to: AdminTargetStatus;
  /** The statuses the change applies from; in any other, nothing is written. */
  from: ConnectionStatus[];
  reason: string | null;
  at: Date;
  /** Written to the outbox by the same statement, only when the status changed. */
  event: { type: string; payload: Record<string, unknown> };
}

export interface AdminActionStore {
  exists(connectionId: string): Promise<boolean>;
  /** One compare-and-set statement with its outbox row; true when the status changed. */
  changeStatus(change: StatusChange): Promise<boolean>;
  appendOutbox(event: OutboxEventInput): Promise<void>;
}

/**
 * What each status means for the row: suspended connections keep their refresh schedule (so the
 * grant stays alive); active ones get a schedule back if they had none; revoked ones are never
 * refreshed or claimed again.
 */
const sets: Record<AdminTargetStatus, string> = {
  suspended: `status = 'suspended', status_reason = $2::text`,
  active: `status = 'active', status_reason = $2::text, refresh_due_at = COALESCE(refresh_due_at, $3)`,
  revoked: `status = 'revoked', status_reason = $2::text, refresh_due_at = NULL, claim_owner = NULL, claim_expires_at = NULL`,
};

export function createAdminActionStore(db: Pick<Database, 'sql'>): AdminActionStore {
  const { sql } = db;
  return {
    async exists(connectionId) {
      return (await sql.query('SELECT 1 FROM connections WHERE id = $1', [connectionId])).length > 0;
    },

    async changeStatus(change) {
      const rows = await sql.query(
        `WITH changed AS (
           UPDATE connections SET ${sets[change.to]}, updated_at = $3
           WHERE id = $1 AND status::text = ANY($4::text[])
           RETURNING id)
         INSERT INTO outbox_events (type, connection_id, payload, created_at)
         SELECT $5, id, $6::jsonb, $3 FROM changed RETURNING connection_id`,
        [change.connectionId, change.reason, change.at, change.from, change.event.type, JSON.stringify(change.event.payload)],
      );
      return rows.length > 0;
    },

    async appendOutbox(event) {
      await sql.query('INSERT INTO outbox_events (type, connection_id, payload, created_at) VALUES ($1, $2, $3::jsonb, $4)', [
        event.type,
        event.connectionId,
        JSON.stringify(event.payload),
        event.at,
      ]);
    },
  };
}
