import type { Database } from '../database.js';

/** One outbox row as stored; apps/event-feed.ts types it. */
export interface StoredEvent {
  /** Increasing; pass the last one seen as `after` to continue. */
  id: string;
  type: string;
  connectionId: string | null;
  payload: unknown;
  createdAt: Date;
}

export interface EventFeedStore {
  /**
   * Outbox events after `after` (exclusive), oldest first. With `shopIds`, only events of the
   * connections that own one of those shops (events of no connection are left out then).
   */
  after(input: { after: bigint; limit: number; shopIds?: ReadonlySet<string> }): Promise<StoredEvent[]>;
}

interface Row {
  id: string;
  type: string;
  connection_id: string | null;
  payload: unknown;
  created_at: Date | string;
}

export function createEventFeedStore(db: Pick<Database, 'sql'>): EventFeedStore {
  return {
    async after({ after, limit, shopIds }) {
      const rows = await db.sql.query<Row>(
        // By the bigint column, not the text alias (which would put '10' before '9' and page past events).
        `SELECT o.id::text AS id, o.type, o.connection_id, o.payload, o.created_at FROM outbox_events o
          WHERE o.id > $1::bigint
            AND ($3::text[] IS NULL OR o.connection_id IN (SELECT connection_id FROM shops WHERE id = ANY($3::text[])))
          ORDER BY o.id LIMIT $2`,
        [after.toString(), limit, shopIds ? [...shopIds] : null],
      );
      return rows.map((row) => ({
        id: row.id,
        type: row.type,
        connectionId: row.connection_id,
        payload: row.payload,
        createdAt: new Date(row.created_at),
      }));
    },
  };
}
