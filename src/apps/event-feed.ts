import {
  connectionEventSchemas, isTiktokRelayType, tiktokRelaySchema, type ConnectionEvent, type ConnectionEventType, type TiktokRelayPayload,
} from '../connections/lifecycle/index.js';
import type { EventFeedStore, StoredEvent } from '../db/stores/event-feed-store.js';
import type { Logger } from '../shared/logger.js';

/** A relayed TikTok webhook (`tiktok.<name>`), as the feed and the pushes carry it. */
export type TiktokRelayEvent = { type: `tiktok.${string}`; payload: TiktokRelayPayload };

/** One event as internal apps read it: a connection event (the closed union) or a relayed TikTok webhook, with its place in the feed. */
export type FeedEvent = (ConnectionEvent | TiktokRelayEvent) & {
  /** The event's id (also `webhook-id` on pushes); pass the last one seen as `after` to continue. */
  id: string;
  connectionId: string | null;
  /** The TikTok Shop app the event is about (#13). */
  app: string | null;
  createdAt: Date;
};

export interface EventFeed {
  /**
   * Connection events after the event `after` (exclusive), in the order subscribers get them (not
   * always by id: db/stores/outbox-order.ts). With `shopIds`, only events of the connections that own
   * one of those shops.
   */
  after(input: { after: bigint; limit: number; shopIds?: ReadonlySet<string> | undefined; apps?: ReadonlySet<string> | undefined }): Promise<FeedEvent[]>;
}

/**
 * The outbox as a typed feed. Every event was checked against its schema when it was written; one
 * that no longer parses (written by an older version) is passed on as stored and logged, never dropped.
 */
export function createEventFeed(deps: { store: EventFeedStore; logger: Logger }): EventFeed {
  const toFeedEvent = (row: StoredEvent): FeedEvent => {
    const schema = isTiktokRelayType(row.type) ? tiktokRelaySchema : connectionEventSchemas[row.type as ConnectionEventType];
    const parsed = schema?.safeParse(row.payload);
    if (!parsed?.success) deps.logger.warn({ eventId: row.id, type: row.type }, 'outbox event does not match its schema; passed on as stored');
    return { ...row, payload: parsed?.success ? parsed.data : row.payload } as FeedEvent;
  };
  return {
    async after(input) {
      return (await deps.store.after(input)).map(toFeedEvent);
    },
  };
}
