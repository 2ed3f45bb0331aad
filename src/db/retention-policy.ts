import type { RetentionSettings, settings } from '../config.js';

/** Every table the retention worker purges, in the order of a run. */
export const retainedTables = [
  'audit_events', 'credential_reads', 'outbox_events', 'webhook_deliveries', 'tiktok_webhook_inbox',
  'oauth_states', 'connect_sessions', 'rate_limits', 'tiktok_call_budget', 'admin_session_revocations',
] as const;
export type RetainedTable = (typeof retainedTables)[number];

export interface TableRetention {
  /** The variable that says how long rows are kept (docs/operations.md#retention); null: a fixed grace. */
  setting: keyof typeof settings | null;
  /** Rows older than this (compared with the table's own time column) are deleted. */
  cutoff(now: number, policy: RetentionSettings): Date | number;
  /** One batch: `$1` the cutoff, `$2` the batch size; answers the rows deleted as `n`. Each is its own short statement. */
  deleteBatch: string;
}

const day = 86_400_000;
const hour = 3_600_000;
const daysBefore = (now: number, days: number) => new Date(now - days * day);

/** Table → setting → batch delete: the one list of what is purged. */
export const retentionPolicy: Record<RetainedTable, TableRetention> = {
  audit_events: {
    setting: 'RETENTION_AUDIT_EVENTS_DAYS',
    cutoff: (now, p) => daysBefore(now, p.auditEventsDays),
    // (occurred_at) is indexed: the subselect walks the index from the oldest.
    deleteBatch: byKey('audit_events', 'id', 'occurred_at < $1', 'occurred_at'),
  },
  credential_reads: {
    // Token reads are audit records: kept as long as audit events.
    setting: 'RETENTION_AUDIT_EVENTS_DAYS',
    cutoff: (now, p) => daysBefore(now, p.auditEventsDays),
    deleteBatch: byCtid('credential_reads', 'minute'),
  },
  outbox_events: {
    // Never one still to be fanned out, nor one a kept delivery refers to (a paused subscription's backlog, a dead
    // letter to replay): the delivery's retention decides, then the event goes. (event_id) on deliveries is indexed.
    setting: 'RETENTION_OUTBOX_EVENTS_DAYS',
    cutoff: (now, p) => daysBefore(now, p.outboxEventsDays),
    deleteBatch: byCtid('outbox_events', 'created_at',
      'published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = outbox_events.id)'),
  },
  webhook_deliveries: {
    // Finished ones only (delivered or dead letters); their attempts go with them (ON DELETE CASCADE).
    setting: 'WEBHOOK_RETENTION_DAYS',
    cutoff: (now, p) => daysBefore(now, p.webhooksDays),
    deleteBatch: byKey('webhook_deliveries', 'id', "status <> 'pending' AND finished_at < $1", 'id'),
  },
  tiktok_webhook_inbox: {
    // Processed TikTok webhooks only: the inbox deduplicates TikTok's retries for as long as it keeps them.
    setting: 'WEBHOOK_RETENTION_DAYS',
    cutoff: (now, p) => daysBefore(now, p.webhooksDays),
    deleteBatch: byKey('tiktok_webhook_inbox', 'id', 'processed_at IS NOT NULL AND received_at < $1', 'id'),
  },
  oauth_states: {
    setting: 'RETENTION_OAUTH_STATES_DAYS',
    cutoff: (now, p) => daysBefore(now, p.oauthStatesDays),
    deleteBatch: byCtid('oauth_states', 'expires_at'),
  },
  connect_sessions: {
    setting: 'RETENTION_CONNECT_SESSIONS_DAYS',
    cutoff: (now, p) => daysBefore(now, p.connectSessionsDays),
    deleteBatch: byCtid('connect_sessions', 'expires_at'),
  },
  rate_limits: {
    // rate-limiter-flexible's buckets: `expire` is epoch milliseconds; an hour's grace, as its own cleanup keeps.
    setting: null,
    cutoff: (now) => now - hour,
    deleteBatch: byCtid('rate_limits', 'expire'),
  },
  tiktok_call_budget: {
    // A key's budget row matters for its current second only; an hour's grace.
    setting: null,
    cutoff: (now) => new Date(now - hour),
    deleteBatch: byCtid('tiktok_call_budget', 'window_start'),
  },
  admin_session_revocations: {
    // A revocation matters only until the session it ends would have expired anyway. (expires_at) is indexed.
    setting: null,
    cutoff: (now) => new Date(now),
    deleteBatch: byKey('admin_session_revocations', 'session_id', 'expires_at < $1', 'expires_at'),
  },
};

/** Deletes by primary key, the oldest first along an index. */
function byKey(table: string, key: string, where: string, order: string): string {
  return `WITH gone AS (DELETE FROM ${table} WHERE ${key} IN
      (SELECT ${key} FROM ${table} WHERE ${where} ORDER BY ${order} LIMIT $2) RETURNING 1)
    SELECT count(*) AS n FROM gone`;
}

/** For tables without an index on the time column: old rows sit first in the heap, so the scan stops early. */
function byCtid(table: string, column: string, andAlso?: string): string {
  return `WITH gone AS (DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
      SELECT ctid FROM ${table} WHERE ${column} < $1${andAlso ? ` AND ${andAlso}` : ''} LIMIT $2)) RETURNING 1)
    SELECT count(*) AS n FROM gone`;
}
