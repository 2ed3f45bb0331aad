import type { ConnectionStatus } from '../../connections/model.js'; // lifecycle
import type { SubscriptionStatus } from '../../webhooks/model.js';
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
  /** Webhook subscriptions failing now (every attempt since `failingSince`) or with dead letters not replayed, worst first. */
  failingSubscriptions: FailingSubscription[];
}

export interface FailingSubscription {
  id: string;
  url: string;
  status: SubscriptionStatus;
  pausedReason: string | null;
  failingSince: Date | null;
  /** Deliveries waiting (pending). */
  backlog: number;
  /** Dead letters not replayed yet. */
  deadLetters: number;
}

export interface AdminOverviewStore {
  counts(input: { from: Date; until: Date; refreshesSince: Date; failingShown: number }): Promise<OverviewCounts>;
}

/**
 * The overview's numbers, each one indexed or pre-counted: connections by status
 * (`connections_status_idx`), ending authorizations (`connections_status_refresh_token_expires_at_idx`),
 * refresh attempts per day (`refresh_outcome_days`, counted by a trigger as the audit trail records
 * them, so the chart reads 56 rows rather than every refresh), open problems (`problems_open_kind_idx`) and
 * failing webhook subscriptions (a few subscriptions; their backlogs by `webhook_deliveries_subscription_id_status_idx`,
 * their dead letters by the partial `webhook_deliveries_dead_letters_idx`).
 */
export function createAdminOverviewStore(db: Pick<Database, 'sql'>): AdminOverviewStore {
  return {
    async counts({ from, until, refreshesSince, failingShown }) {
      const [byStatus, endingByWeek, refreshesByDay, openProblemsByKind, failing] = await Promise.all([
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
        db.sql.query<{
          id: string; url: string; status: SubscriptionStatus; paused_reason: string | null; failing_since: Date | string | null; backlog: number; dead_letters: number;
        }>(
          `SELECT * FROM (
             SELECT s.id, s.url, s.status, s.paused_reason, s.failing_since,
                    (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'pending')::int AS backlog,
                    (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'dead' AND d.replayed_at IS NULL)::int AS dead_letters
               FROM webhook_subscriptions s) f
            WHERE f.failing_since IS NOT NULL OR f.dead_letters > 0
            ORDER BY f.failing_since NULLS LAST, f.dead_letters DESC, f.id
            LIMIT $1`,
          [failingShown],
        ),
      ]);
      const failingSubscriptions = failing.map((row) => ({
        id: row.id, url: row.url, status: row.status, pausedReason: row.paused_reason,
        failingSince: row.failing_since === null ? null : new Date(row.failing_since), backlog: row.backlog, deadLetters: row.dead_letters,
      }));
      return { byStatus, endingByWeek, refreshesByDay, openProblemsByKind, failingSubscriptions };
    },
  };
}
