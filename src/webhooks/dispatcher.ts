import type { UnpublishedEvent, WebhookDeliveryStore } from '../db/stores/webhook-delivery-store.js';
import type { WebhookSubscriptionStore } from '../db/stores/webhook-subscription-store.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { matchesEvent } from './event-patterns.js';
import type { Subscription } from './model.js';
import { createPollingWorker, type PollingWorker } from './poller.js';

/** The stores one dispatch round uses, bound to its transaction. */
export interface DispatchUnit {
  deliveries: Pick<WebhookDeliveryStore, 'tryDispatchLock' | 'unpublished' | 'shopsOf' | 'insert' | 'markPublished'>;
  subscriptions: Pick<WebhookSubscriptionStore, 'list'>;
}

const batchSize = 200;
/** The app of an event stored before apps (#13): the one app there was. */
const defaultApp = 'default';

/**
 * Fans the outbox out: each event not yet published becomes one delivery per subscription it matches
 * (type pattern, shops, apps), in event order, and is marked published in the same transaction. One
 * dispatcher at a time (a transaction-scoped advisory lock; other replicas skip the round), so delivery
 * ids follow event order, which is the order deliveries of one connection go out in.
 */
export function createDispatcher(deps: {
  inTransaction<T>(work: (unit: DispatchUnit) => Promise<T>): Promise<T>;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  onDispatched(): void;
}): PollingWorker {
  return createPollingWorker({
    name: 'webhook dispatcher',
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    async round() {
      const { events, deliveries } = await deps.inTransaction(async (unit) => {
        if (!(await unit.deliveries.tryDispatchLock())) return { events: 0, deliveries: 0 };
        const events = await unit.deliveries.unpublished(batchSize);
        if (events.length === 0) return { events: 0, deliveries: 0 };
        const subscriptions = await unit.subscriptions.list();
        const shops = await unit.deliveries.shopsOf([...new Set(events.flatMap((event) => (event.connectionId ? [event.connectionId] : [])))]);
        const rows = events.flatMap((event) =>
          subscriptions
            .filter((subscription) => wants(subscription, event, shops))
            .map((subscription) => ({ subscriptionId: subscription.id, eventId: event.id, orderingKey: orderingKey(event) })),
        );
        const now = deps.clock.now();
        await unit.deliveries.insert(rows, now);
        await unit.deliveries.markPublished(events.map((event) => event.id), now);
        return { events: events.length, deliveries: rows.length };
      });
      if (deliveries > 0) deps.onDispatched();
      return events === batchSize;
    },
  });
}

/** Whether a subscription wants an event: its type, one of its shops, its app. */
export function wants(subscription: Subscription, event: UnpublishedEvent, shops: Map<string, string[]>): boolean {
  if (!matchesEvent(subscription.events, event.type)) return false;
  const relay = event.type.startsWith('tiktok.');
  const app = event.app ?? defaultApp;
  if (subscription.apps && !subscription.apps.includes(app)) return false;
  if (!subscription.shopIds) return true;
  const eventShops = relay
    ? typeof event.payload.shopId === 'string' ? [event.payload.shopId] : []
    : event.connectionId ? (shops.get(event.connectionId) ?? []) : [];
  return eventShops.some((shop) => subscription.shopIds!.includes(shop));
}

/** Events of one connection go out in order; an event of no known connection is ordered by its shop, or alone. */
function orderingKey(event: UnpublishedEvent): string {
  if (event.connectionId) return `connection:${event.connectionId}`;
  if (typeof event.payload.shopId === 'string') return `shop:${event.payload.shopId}`;
  return `event:${event.id}`;
}
