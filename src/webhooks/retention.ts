import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Worker } from '../shared/worker.js';

const batch = 1000;

/**
 * Every `intervalMs` (default hourly): deletes finished webhook deliveries (with their attempts) and
 * processed TikTok webhook receipts older than the retention period, in batches of 1,000 so no
 * statement holds locks for long. Safe on every replica: each batch is one statement.
 */
export function createWebhookRetention(deps: {
  purgeDeliveries(before: Date, limit: number): Promise<number>;
  purgeReceipts(before: Date, limit: number): Promise<number>;
  retentionDays: number;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}): Worker & { purge(): Promise<{ deliveries: number; receipts: number }> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const purgeAll = async (purgeBatch: (before: Date, limit: number) => Promise<number>, before: Date) => {
    let total = 0;
    for (;;) {
      const purged = await purgeBatch(before, batch);
      total += purged;
      if (purged < batch) return total;
    }
  };
  const purge = async () => {
    const before = new Date(deps.clock.now().getTime() - deps.retentionDays * 86_400_000);
    return { deliveries: await purgeAll(deps.purgeDeliveries, before), receipts: await purgeAll(deps.purgeReceipts, before) };
  };
  const tick = () => {
    running ??= purge()
      .then(
        (purged) => deps.logger.debug(purged, 'old webhook deliveries and receipts purged'),
        (error: unknown) => deps.logger.warn({ err: error }, 'purging old webhook deliveries failed; will retry'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  return {
    name: 'webhook retention',
    purge,
    start() {
      timer ??= setInterval(tick, deps.intervalMs ?? 3_600_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
