import type { InboxItem } from '../db/stores/webhook-inbox-store.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { createPollingWorker, type PollingWorker } from './poller.js';
import type { NotificationHandler } from './tiktok-notifications.js';

/** How long a claimed inbox row is held before another worker may take it (a crashed worker's rows). */
const leaseMs = 60_000;
/** After a processing failure (e.g. the database), the row is tried again this much later. */
const retryMs = 30_000;

/**
 * Processes TikTok's stored webhooks: claims a batch (leased; one batch in flight across replicas, so
 * relays keep the order webhooks arrived in), processes the batch in one transaction (row by row in
 * their own transactions if that fails, so one bad row holds up nothing), then wakes
 * `onRelayed` (the dispatcher) so relays go out at once. Safe on every replica: a row is claimed by one
 * worker at a time and marked processed once; a crashed worker's batch is taken over when its lease ends.
 */
export function createInboxWorker(deps: {
  /** Claims a batch in one transaction (the claim's advisory lock lasts as long as it). */
  claim(input: { now: Date; leaseUntil: Date; limit: number }): Promise<InboxItem[]>;
  inbox: { fail(id: string, error: string, retryAt: Date): Promise<void> };
  notifications: Pick<NotificationHandler, 'process' | 'processAll'>;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  onRelayed(): void;
}): PollingWorker {
  return createPollingWorker({
    name: 'tiktok webhook inbox',
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    async round() {
      const now = deps.clock.now();
      const items = await deps.claim({ now, leaseUntil: new Date(now.getTime() + leaseMs), limit: 50 });
      if (items.length === 0) return false;
      try {
        await deps.notifications.processAll(items);
        deps.onRelayed();
        return true;
      } catch (error) {
        deps.logger.debug({ err: error }, 'a TikTok webhook batch failed; processing its webhooks one by one');
      }
      for (const item of items) {
        try {
          await deps.notifications.process(item);
        } catch (error) {
          deps.logger.warn({ err: error, inboxId: item.id }, 'processing a TikTok webhook failed; will retry');
          await deps.inbox.fail(item.id, error instanceof Error ? error.message : String(error), new Date(deps.clock.now().getTime() + retryMs));
        }
      }
      deps.onRelayed();
      return true;
    },
  });
}
