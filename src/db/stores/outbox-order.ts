import type { SqlRunner } from '../sql.js';

/**
 * The order in which the outbox is read, by the dispatcher and by `GET /v1/events` alike (issue #14), so
 * subscribers and feed readers see the same events in the same order, and a reader past an event never
 * misses one that commits later.
 *
 * An id alone cannot give that: transactions take ids 9 and 10 and may commit 10 first. So every row
 * also carries `xact_order`, set by the `outbox_events_order` trigger (migration
 * 20261204100000_outbox_commit_order) to its transaction's id or, if later, one past the newest
 * transaction that had ended when the row was written. A writer holds ROW EXCLUSIVE on the table from
 * before it takes the row's id until its transaction ends. Readers go by (xact_order, id) and take a row
 * only when it is settled:
 *
 * - when no writer is in flight (the reader got SHARE on the table, which keeps writers out until its
 *   transaction ends): every visible row. A row written after the read gets a larger id, and an
 *   xact_order no smaller than theirs (past every transaction that had ended, theirs included), so it
 *   sorts after them all;
 * - otherwise, rows whose xact_order is below the oldest transaction still running. A row not visible
 *   yet belongs to a transaction still running (or one that starts later), whose transaction id, and so
 *   its xact_order, is at least that oldest one: it sorts after everything taken.
 *
 * A row held back is only delayed, never skipped: it is taken once the transactions before it end. An
 * event written after another transaction committed (it waited for that transaction's lock on the
 * connection, or read what it wrote) sorts after that transaction's events, whichever transaction began
 * first. Rows written before the migration have `xact_order` 0 and keep their id order.
 */

/** The order of `outbox_events e`, for ORDER BY (by the bigint column: a text alias of the id would put '10' before '9'). */
export const outboxOrder = 'e.xact_order, e.id';

/**
 * Inside a transaction, before the read: true when no writer of events is in flight (it never waits).
 * Writers of events (and the dispatcher's marking them published) then wait until the transaction
 * ends, so keep it short; other readers do not.
 */
export async function noWriterInFlight(sql: SqlRunner): Promise<boolean> {
  const [row] = await sql.query<{ quiet: boolean }>('SELECT outbox_events_no_writer() AS quiet');
  return row?.quiet ?? false;
}

/** The condition on `outbox_events e` for a settled row, given {@link noWriterInFlight}'s answer. */
export function settled(quiet: boolean): string {
  return quiet ? 'true' : 'e.xact_order < pg_snapshot_xmin(pg_current_snapshot())';
}
