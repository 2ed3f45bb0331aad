import type { AuditEventInput } from '../../audit/audit-log.js';
import type { SqlRunner } from '../sql.js';

/** Audit events as the audit log queues them: when, and what. */
export interface QueuedAuditEvent {
  occurredAt: Date;
  event: AuditEventInput;
}

export interface AuditStore {
  /** Writes a batch in one statement. A Postgres data exception (class 22) means this batch can never be written as it is. */
  insert(batch: readonly QueuedAuditEvent[]): Promise<void>;
}

/**
 * One statement per batch, with the rows as one JSON parameter: `JSON.stringify` is native, where
 * pg would escape one array element at a time in JavaScript.
 */
const insertBatch = `INSERT INTO audit_events
  (occurred_at, actor_type, actor_id, action, outcome, connection_id, shop_id, request_id, detail)
  SELECT occurred_at, actor_type, actor_id, action, outcome, connection_id, shop_id, request_id, detail
    FROM jsonb_to_recordset($1::jsonb) AS row(occurred_at timestamptz, actor_type text, actor_id text, action text,
      outcome text, connection_id text, shop_id text, request_id text, detail jsonb)`;

function rowsOf(batch: readonly QueuedAuditEvent[]): string {
  const json = JSON.stringify(
    batch.map(({ occurredAt, event }) => ({
      occurred_at: occurredAt.toISOString(),
      actor_type: event.actorType,
      actor_id: event.actorId ?? null,
      action: event.action,
      outcome: event.outcome,
      connection_id: event.connectionId ?? null,
      shop_id: event.shopId ?? null,
      request_id: event.requestId ?? null,
      detail: event.detail ?? null,
    })),
  );
  // jsonb cannot hold U+0000; whatever a caller sent, the event must still be written. JSON writes
  // it as the escape \u0000, unless that backslash is itself escaped (a literal "\u0000" in the text).
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
}

export function createAuditStore(sql: SqlRunner): AuditStore {
  return {
    async insert(batch) {
      await sql.query(insertBatch, [rowsOf(batch)]);
    },
  };
}
