import type { RetentionSettings } from '../config.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Worker } from '../shared/worker.js';
import type { SqlClient, SqlRunner } from './sql.js';

export const retainedTables = ['audit_events', 'outbox_events', 'oauth_states', 'connect_sessions', 'rate_limits', 'admin_session_revocations', 'credential_reads', 'tiktok_call_budget'] as const;
export type RetainedTable = (typeof retainedTables)[number];
export type PurgeReport = Record<RetainedTable, number>;

export interface RetentionWorkerDeps {
  sql: SqlClient;
  clock: Clock;
  logger: Logger;
  /** How long each kind of row is kept (config.ts `RETENTION_*`). */
  policy: RetentionSettings;
  /** Told how many rows each batch deleted (metrics). */
  onDeleted?: (table: RetainedTable, rows: number) => void;
}

export interface RetentionWorker extends Worker {
  /** Purges now, then every `sweepIntervalSeconds`. */
  start(): void;
  /** Stops scheduling and waits for a purge in progress to finish its current batch. */
  stop(): Promise<void>;
  /** One purge of every table; `skipped` when another replica holds the retention lock. */
  purgeOnce(): Promise<{ skipped: true } | { skipped: false; deleted: PurgeReport }>;
}

const day = 86_400_000;
/** pg_try_advisory_lock key: one purging replica at a time ("retention" as an int). */
const lockKey = 0x7265_7465;

/**
 * Deletes rows past their retention in batches of `batchSize`, each its own short statement, so no
 * lock is held for long and the table stays writable. Rows are picked by `ctid` (or the primary key)
 * from a LIMITed subselect. One replica purges at a time (a session advisory lock); the others skip.
 * Nothing runs until `start()`.
 *
 * @example
 * const retention = createRetentionWorker({ sql: db.sql, clock, logger, policy: config.retention });
 * retention.start(); // … await retention.stop();
 */
export function createRetentionWorker(deps: RetentionWorkerDeps): RetentionWorker {
  const { sql, clock, logger, policy } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopping = false;

  const cutoffs = (now: number): Record<RetainedTable, unknown> => ({
    audit_events: new Date(now - policy.auditEventsDays * day),
    outbox_events: new Date(now - policy.outboxEventsDays * day),
    oauth_states: new Date(now - policy.oauthStatesDays * day),
    connect_sessions: new Date(now - policy.connectSessionsDays * day),
    // rate-limiter-flexible's buckets: `expire` is epoch milliseconds; an hour's grace, as its own cleanup keeps.
    rate_limits: now - 3_600_000,
    // Token reads are audit records: kept as long as audit events.
    credential_reads: new Date(now - policy.auditEventsDays * day),
    // A key's budget row matters for its current second only; an hour's grace.
    tiktok_call_budget: new Date(now - 3_600_000),
    // A revocation matters only until the session it ends would have expired anyway.
    admin_session_revocations: new Date(now),
  });

  async function purgeTable(session: SqlRunner, table: RetainedTable, cutoff: unknown): Promise<number> {
    let total = 0;
    while (!stopping) {
      const rows = await session.query<{ n: string | number }>(deleteBatch[table], [cutoff, policy.batchSize]);
      const deleted = Number(rows[0]?.n ?? 0);
      total += deleted;
      if (deleted > 0) deps.onDeleted?.(table, deleted);
      if (deleted < policy.batchSize) break;
    }
    return total;
  }

  async function purgeOnce(): Promise<{ skipped: true } | { skipped: false; deleted: PurgeReport }> {
    return sql.session(async (session) => {
      const [lock] = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [lockKey]);
      if (!lock?.locked) return { skipped: true as const };
      try {
        const limits = cutoffs(clock.now().getTime());
        const deleted = Object.fromEntries(retainedTables.map((table) => [table, 0])) as PurgeReport;
        for (const table of retainedTables) deleted[table] = await purgeTable(session, table, limits[table]);
        return { skipped: false as const, deleted };
      } finally {
        await session.query('SELECT pg_advisory_unlock($1)', [lockKey]);
      }
    });
  }

  const sweep = () => {
    running = purgeOnce().then(
      (result) => {
        if (!result.skipped && Object.values(result.deleted).some((n) => n > 0)) logger.info({ deleted: result.deleted }, 'retention: old rows purged');
      },
      (error: unknown) => logger.warn({ err: error }, 'retention: purge failed; will retry at the next interval'),
    ).finally(() => {
      running = undefined;
      if (!stopping) timer = setTimeout(sweep, policy.sweepIntervalSeconds * 1000).unref();
    });
  };

  return {
    name: 'retention',
    start() {
      if (timer || running) return;
      stopping = false;
      sweep();
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
    purgeOnce,
  };
}

/** One batch per table: `$1` the cutoff, `$2` the batch size; answers the rows deleted as `n`. */
const deleteBatch: Record<RetainedTable, string> = {
  // (occurred_at) is indexed: the subselect walks the index from the oldest.
  audit_events: `WITH gone AS (DELETE FROM audit_events WHERE id IN
      (SELECT id FROM audit_events WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2) RETURNING 1)
    SELECT count(*) AS n FROM gone`,
  outbox_events: byCtid('outbox_events', 'created_at'),
  oauth_states: byCtid('oauth_states', 'expires_at'),
  connect_sessions: byCtid('connect_sessions', 'expires_at'),
  rate_limits: byCtid('rate_limits', 'expire'),
  credential_reads: byCtid('credential_reads', 'minute'),
  tiktok_call_budget: byCtid('tiktok_call_budget', 'window_start'),
  // (expires_at) is indexed.
  admin_session_revocations: `WITH gone AS (DELETE FROM admin_session_revocations WHERE session_id IN
      (SELECT session_id FROM admin_session_revocations WHERE expires_at < $1 ORDER BY expires_at LIMIT $2) RETURNING 1)
    SELECT count(*) AS n FROM gone`,
};

/** For tables without an index on the time column: old rows sit first in the heap, so the scan stops early. */
function byCtid(table: string, column: string): string {
  return `WITH gone AS (DELETE FROM ${table} WHERE ctid = ANY(ARRAY(
      SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT $2)) RETURNING 1)
    SELECT count(*) AS n FROM gone`;
}
