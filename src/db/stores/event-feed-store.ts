import type { Database } from '../database.js';
import { noWriterInFlight, outboxOrder, settled } from './outbox-order.js';

/** One outbox row as stored; apps/event-feed.ts types it. */
export interface StoredEvent {
  /** The event's id; pass the last one seen as `after` to continue. */
  id: string;
  type: string;
  connectionId: string | null;
  /** The TikTok Shop app: the connection's, or (a relayed webhook of no known connection) the one it came to. */
  app: string | null;
  payload: unknown;
  createdAt: Date;
}

export interface EventFeedStore {
  /**
   * Outbox events after the event `after` (exclusive), settled and in the outbox's order (outbox-order.ts):
   * an event still behind an uncommitted one waits for a later call. With `shopIds`, only events of the
   * connections that own one of those shops (events of no connection are left out then).
   */
  after(input: { after: bigint; limit: number; shopIds?: ReadonlySet<string> | undefined; apps?: ReadonlySet<string> | undefined }): Promise<StoredEvent[]>;
}

interface Row {
  id: string;
  type: string;
  connection_id: string | null;
  app: string | null;
  payload: unknown;
  created_at: Date | string;
}

export function createEventFeedStore(db: Pick<Database, 'sql'>): EventFeedStore {
  return {
    async after({ after, limit, shopIds, apps }) {
      const rows = await db.sql.transaction(async (tx) => {
        const quiet = await noWriterInFlight(tx);
        // The cursor is the last event seen; the events after it in the outbox's order. A cursor whose event
        // is gone (retention) or never was (0) stands before every event written since the outbox had an order.
        return tx.query<Row>(
          `SELECT e.id::text AS id, e.type, e.connection_id, COALESCE(c.app, e.payload->>'app') AS app, e.payload, e.created_at
             FROM outbox_events e LEFT JOIN connections c ON c.id = e.connection_id
            WHERE (e.xact_order, e.id) > (COALESCE((SELECT x.xact_order FROM outbox_events x WHERE x.id = $1::bigint), '0'::xid8), $1::bigint)
              AND ${settled(quiet)}
              AND ($3::text[] IS NULL OR e.connection_id IN (SELECT connection_id FROM shops WHERE id = ANY($3::text[])))
              AND ($4::text[] IS NULL OR COALESCE(c.app, e.payload->>'app') = ANY($4::text[]))
            ORDER BY ${outboxOrder} LIMIT $2`,
          [after.toString(), limit, shopIds ? [...shopIds] : null, apps ? [...apps] : null],
        );
      });
      return rows.map((row) => ({
        id: row.id,
        type: row.type,
        connectionId: row.connection_id,
        app: row.app,
        payload: row.payload,
        createdAt: new Date(row.created_at),
      }));
    },
  };
}
