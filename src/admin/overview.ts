import type { AdminOverviewStore, FailingSubscription, RefreshOutcomeKind } from '../db/stores/admin-overview-store.js';
import type { ConnectionStatus } from '../connections/model.js'; // lifecycle
import type { Clock } from '../shared/clock.js';
import type { ConnectionSummary, Review } from './review.js';

export type { FailingSubscription, RefreshOutcomeKind };
export const refreshOutcomeKinds: readonly RefreshOutcomeKind[] = ['refreshed', 'transient_failure', 'grant_dead', 'permission'];

/** What operators open first: where things stand, what needs a person, and what is coming. */
export interface Overview {
  total: number;
  byStatus: { status: ConnectionStatus; count: number }[];
  /** The first connections of the review queue. */
  queue: ConnectionSummary[];
  /** 13 weeks from today (the last one cut at 90 days): active authorizations ending in each. */
  endingByWeek: { start: Date; count: number }[];
  /** The last 14 UTC days, oldest first, with every outcome (zero when none). */
  refreshesByDay: { day: string; counts: Record<RefreshOutcomeKind, number> }[];
  openProblemsByKind: { kind: string; count: number }[];
  /** Webhook subscriptions whose deliveries fail now or left dead letters (the first `failingShown`), worst first. */
  failingSubscriptions: FailingSubscription[];
}

const day = 86_400_000;
export const endingWindowDays = 90;
export const refreshHistoryDays = 14;
const queueShown = 10;
export const failingShown = 10;

export function createOverview(deps: { store: AdminOverviewStore; review: Pick<Review, 'queue'>; clock: Clock }) {
  return async function overview(): Promise<Overview> {
    const now = deps.clock.now();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const refreshesSince = new Date(today - (refreshHistoryDays - 1) * day);
    const [counts, queue] = await Promise.all([
      deps.store.counts({ from: now, until: new Date(now.getTime() + endingWindowDays * day), refreshesSince, failingShown }),
      deps.review.queue(queueShown),
    ]);
    const weeks = Math.ceil(endingWindowDays / 7);
    const ending = new Map(counts.endingByWeek.map((row) => [row.week, row.count]));
    const days = Array.from({ length: refreshHistoryDays }, (_, i) => new Date(refreshesSince.getTime() + i * day).toISOString().slice(0, 10));
    return {
      total: counts.byStatus.reduce((sum, row) => sum + row.count, 0),
      byStatus: counts.byStatus,
      queue,
      endingByWeek: Array.from({ length: weeks }, (_, week) => ({ start: new Date(now.getTime() + week * 7 * day), count: ending.get(week) ?? 0 })),
      refreshesByDay: days.map((dayKey) => ({
        day: dayKey,
        counts: Object.fromEntries(
          refreshOutcomeKinds.map((kind) => [kind, counts.refreshesByDay.find((row) => row.day === dayKey && row.outcome === kind)?.count ?? 0]),
        ) as Record<RefreshOutcomeKind, number>,
      })),
      openProblemsByKind: counts.openProblemsByKind,
      failingSubscriptions: counts.failingSubscriptions,
    };
  };
}
