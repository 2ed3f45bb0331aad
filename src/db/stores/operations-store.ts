import type { SqlRunner } from '../sql.js';

/** What operators watch, read when /metrics is scraped: cheap counts over indexed columns. */
export interface OperationsStore {
  /** Outbox events kept, and the age in seconds of the oldest at `now` (null when there is none). */
  /** And those not yet fanned out to webhook subscriptions, with the age of the oldest of them. */
  outbox(now: Date): Promise<{ events: number; oldestAgeSeconds: number | null; unpublished: number; oldestUnpublishedAgeSeconds: number | null }>;
  /** Active connections whose authorization (refresh token) ends within 1, 7 and 30 days of `now`. */
  expiringAuthorizations(now: Date): Promise<{ 1: number; 7: number; 30: number }>;
  /** Whether the database answers. */
  ping(): Promise<boolean>;
  /** Webhook deliveries pending and dead (not replayed), and the age in seconds of the oldest pending one of an active subscription. */
  webhookDeliveries(now: Date): Promise<{ pending: number; dead: number; oldestPendingAgeSeconds: number | null }>;
}

const day = 86_400_000;

export function createOperationsStore(sql: SqlRunner): OperationsStore {
  return {
    async outbox(now) {
      // The unpublished ones through their partial (xact_order, id) index: the first is the next to go out.
      const [row] = await sql.query<{ events: string | number; oldest: Date | string | null; unpublished: string | number; oldest_unpublished: Date | string | null }>(
        `SELECT (SELECT count(*) FROM outbox_events) AS events, (SELECT min(created_at) FROM outbox_events) AS oldest,
                (SELECT count(*) FROM outbox_events WHERE published_at IS NULL) AS unpublished,
                (SELECT created_at FROM outbox_events WHERE published_at IS NULL ORDER BY xact_order, id LIMIT 1) AS oldest_unpublished`,
      );
      const age = (value: Date | string | null | undefined) => (value ? Math.max(0, (now.getTime() - new Date(value).getTime()) / 1000) : null);
      return {
        events: Number(row?.events ?? 0),
        oldestAgeSeconds: age(row?.oldest),
        unpublished: Number(row?.unpublished ?? 0),
        oldestUnpublishedAgeSeconds: age(row?.oldest_unpublished),
      };
    },
    async expiringAuthorizations(now) {
      // Uses the (status, refresh_token_expires_at) index.
      const [row] = await sql.query<Record<'d1' | 'd7' | 'd30', string | number>>(
        `SELECT count(*) FILTER (WHERE refresh_token_expires_at < $2) AS d1,
                count(*) FILTER (WHERE refresh_token_expires_at < $3) AS d7,
                count(*) AS d30
           FROM connections
          WHERE status = 'active' AND refresh_token_expires_at < $4 AND refresh_token_expires_at >= $1`,
        [now, new Date(now.getTime() + day), new Date(now.getTime() + 7 * day), new Date(now.getTime() + 30 * day)],
      );
      return { 1: Number(row?.d1 ?? 0), 7: Number(row?.d7 ?? 0), 30: Number(row?.d30 ?? 0) };
    },
    async webhookDeliveries(now) {
      // Each count reads a partial index over the few waiting or dead rows, never the delivered history.
      const [row] = await sql.query<{ pending: string | number; dead: string | number; oldest: Date | string | null }>(
        `SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS pending,
                (SELECT count(*) FROM webhook_deliveries WHERE status = 'dead' AND replayed_at IS NULL) AS dead,
                (SELECT min(d.created_at) FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
                  WHERE d.status = 'pending' AND s.status = 'active') AS oldest`,
      );
      const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
      return {
        pending: Number(row?.pending ?? 0),
        dead: Number(row?.dead ?? 0),
        oldestPendingAgeSeconds: oldest === null ? null : Math.max(0, (now.getTime() - oldest) / 1000),
      };
    },
    async ping() {
      await sql.query('SELECT 1');
      return true;
    },
  };
}
