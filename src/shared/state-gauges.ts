import { Gauge, type Registry } from 'prom-client';

/**
 * Reads of the database's state, run when /metrics is scraped. Each may fail (or take over 2 s): its
 * labelled series are then left out, and an unlabelled gauge reads NaN, so no alert fires on a stale value.
 */
export interface StateReaders {
  /** Counts of connections by status; every one of `statuses` is reported (0 when absent). */
  connections?: { statuses: readonly string[]; counts: () => Promise<Partial<Record<string, number>>> };
  /**
   * Outbox events kept, and the age of the oldest (null when there is none); those not yet handed to the
   * webhook dispatcher (unpublished), and the age of the oldest of them.
   */
  outbox?: () => Promise<{ events: number; oldestAgeSeconds: number | null; unpublished: number; oldestUnpublishedAgeSeconds: number | null }>;
  /** Active connections whose authorization (refresh token) ends within 1, 7 and 30 days. */
  expiringAuthorizations?: () => Promise<{ 1: number; 7: number; 30: number }>;
  /** Whether the database answers a trivial query. */
  databaseUp?: () => Promise<boolean>;
  /**
   * Webhook deliveries waiting (`pending`: due, retrying or leased) and dead letters not replayed, and the age
   * of the oldest pending delivery of an active subscription (null when there is none).
   */
  webhookDeliveries?: () => Promise<{ pending: number; dead: number; oldestPendingAgeSeconds: number | null }>;
}

const readTimeoutMs = 2_000;

/** Registers the scrape-time gauges for the readers given. */
export function registerStateGauges(registry: Registry, readers: StateReaders): void {
  const registers = [registry];
  const { connections, outbox, expiringAuthorizations, databaseUp, webhookDeliveries } = readers;
  if (connections) {
    new Gauge({
      name: 'tiktok_connections',
      help: 'Connections (seller authorizations) by status',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await settle(this, connections.counts);
        if (counts) for (const status of connections.statuses) this.set({ status }, counts[status] ?? 0);
      },
    });
  }
  if (expiringAuthorizations) {
    new Gauge({
      name: 'tiktok_authorizations_expiring',
      help: 'Active connections whose authorization ends within the given number of days (merchants must re-authorize)',
      labelNames: ['within_days'],
      registers,
      async collect() {
        const counts = await settle(this, expiringAuthorizations);
        if (counts) for (const days of [1, 7, 30] as const) this.set({ within_days: String(days) }, counts[days]);
      },
    });
  }
  if (outbox) {
    const read = memoizedPerScrape(outbox);
    new Gauge({
      name: 'connect_outbox_events',
      help: 'Outbox events kept (GET /v1/events); bounded by RETENTION_OUTBOX_EVENTS_DAYS',
      registers,
      async collect() {
        const state = await settle(this, read);
        this.set(state ? state.events : NaN);
      },
    });
    new Gauge({
      name: 'connect_outbox_oldest_event_age_seconds',
      help: 'Age of the oldest outbox event kept (0 when there is none)',
      registers,
      async collect() {
        const state = await settle(this, read);
        this.set(state ? (state.oldestAgeSeconds ?? 0) : NaN);
      },
    });
    new Gauge({
      name: 'connect_outbox_unpublished_events',
      help: 'Outbox events not yet fanned out to webhook subscriptions (the dispatcher backlog)',
      registers,
      async collect() {
        const state = await settle(this, read);
        this.set(state ? state.unpublished : NaN);
      },
    });
    new Gauge({
      name: 'connect_outbox_oldest_unpublished_event_age_seconds',
      help: 'Age of the oldest outbox event not yet fanned out to webhook subscriptions (0 when there is none)',
      registers,
      async collect() {
        const state = await settle(this, read);
        this.set(state ? (state.oldestUnpublishedAgeSeconds ?? 0) : NaN);
      },
    });
  }
  if (webhookDeliveries) {
    const read = memoizedPerScrape(webhookDeliveries);
    new Gauge({
      name: 'connect_webhook_deliveries',
      help: 'Webhook deliveries by status: pending (waiting, retrying or being sent) and dead (dead letters not replayed)',
      labelNames: ['status'],
      registers,
      async collect() {
        const state = await settle(this, read);
        if (state) for (const status of ['pending', 'dead'] as const) this.set({ status }, state[status]);
      },
    });
    new Gauge({
      name: 'connect_webhook_oldest_pending_delivery_age_seconds',
      help: 'Age of the oldest pending webhook delivery of an active subscription (0 when there is none)',
      registers,
      async collect() {
        const state = await settle(this, read);
        this.set(state ? (state.oldestPendingAgeSeconds ?? 0) : NaN);
      },
    });
  }
  if (databaseUp) {
    new Gauge({
      name: 'connect_database_up',
      help: 'Whether the database answered a trivial query within 2 s when metrics were scraped (1) or not (0)',
      registers,
      async collect() {
        this.set((await settle(this, databaseUp)) === true ? 1 : 0);
      },
    });
  }
}

/** The reader's answer, or undefined (and the gauge's series dropped) when it fails or takes over 2 s. */
async function settle<T>(gauge: Gauge<string>, read: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), readTimeoutMs);
  });
  try {
    const value = await Promise.race([read(), timeout]);
    if (value === undefined) gauge.reset();
    return value;
  } catch {
    gauge.reset();
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Two gauges fed by one query: the read is shared by calls made while it runs. */
function memoizedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
