import type { ConnectionStatus } from '../../connections/model.js'; // lifecycle
import type { Database } from '../database.js';

/** How one refresh attempt ended, as the overview counts them. */
export type RefreshOutcomeKind = 'refreshed' | 'transient_failure' | 'grant_dead' | 'permission';

export interface OverviewCounts {
  byStatus: { status: ConnectionStatus; count: number }[];
  /** Active authorizations ending, by week from `from` (week 0 = the next 7 days). */
  endingByWeek: { week: number; count: number }[];
  /** Refresh attempts by UTC day (`YYYY-MM-DD`) and outcome, from `since`. */
  refreshesByDay: { day: string; outcome: RefreshOutcomeKind; count: number }[];
  openProblemsByKind: { kind: string; count: number }[];
}

export interface AdminOverviewStore {
  counts(input: { from: Date; until: Date; refreshesSince: Date }): Promise<OverviewCounts>;
}

/**
 * The overview's numbers, each one indexed or pre-counted: connections by status
 * (`connections_status_idx`), ending authorizations (`connections_status_refresh_token_expires_at_idx`),
 * refresh attempts per day (`refresh_outcome_days`, counted by a trigger as the audit trail records
 * them, so the chart reads 56 rows rather than every refresh) and open problems (`problems_open_kind_idx`).
 */
export function createAdminOverviewStore(db: Pick<Database, 'sql'>): AdminOverviewStore {
  return {
    async counts({ from, until, refreshesSince }) {
      const [byStatus, endingByWeek, refreshesByDay, openProblemsByKind] = await Promise.all([
        db.sql.query<{ status: ConnectionStatus; count: number }>(
          'SELECT status::text AS status, count(*)::int AS count FROM connections GROUP BY status',
        ),
        db.sql.query<{ week: number; count: number }>(
          `SELECT floor(extract(epoch FROM (refresh_token_expires_at - $1::timestamptz)) / 604800)::int AS week, count(*)::int AS count
             FROM connections
            WHERE status = 'active' AND refresh_token_expires_at >= $1 AND refresh_token_expires_at < $2
            GROUP BY 1 ORDER BY 1`,
          [from, until],
        ),
        db.sql.query<{ day: string; outcome: RefreshOutcomeKind; count: number }>(
          `SELECT to_char(day, 'YYYY-MM-DD') AS day, outcome, count FROM refresh_outcome_days WHERE day >= $1::date ORDER BY day`,
          [refreshesSince.toISOString().slice(0, 10)],
        ),
        db.sql.query<{ kind: string; count: number }>(
          'SELECT kind, count(*)::int AS count FROM problems WHERE resolved_at IS NULL GROUP BY kind ORDER BY count(*) DESC',
        ),
      ]);
      return { byStatus, endingByWeek, refreshesByDay, openProblemsByKind };
    },
  };
}
