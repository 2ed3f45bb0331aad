import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How one refresh attempt ended, as counted by `tiktok_token_refreshes_total{outcome}`. */
export type RefreshOutcome = 'refreshed' | 'transient_failure' | 'grant_dead' | 'permission' | 'stale_write' | 'error';

export interface RefreshMetrics {
  outcomes: Counter<'outcome'>;
  /** Seconds between a successful refresh and the expiry of the token it replaced (negative: refreshed too late). */
  leadTime: Histogram;
  /** Seconds from the call to TikTok until the new tokens were stored (or the failure was recorded). */
  duration: Histogram;
}

export interface Metrics {
  /** This service's own registry (never prom-client's global one), so several apps can live in one process. */
  registry: Registry;
  refresh: RefreshMetrics;
}

export interface MetricsOptions {
  /** Counts of connections by status, read when /metrics is scraped; every one of `statuses` is reported (0 when absent). */
  connections?: { statuses: readonly string[]; counts(): Promise<Partial<Record<string, number>>> };
}

/**
 * Creates a registry and the service's metrics in it.
 *
 * @example
 * const metrics = createMetrics({ connections: { statuses: connectionStatuses, counts: () => lifecycleStore.countByStatus() } });
 * metrics.refresh.outcomes.inc({ outcome: 'refreshed' });
 * await metrics.registry.metrics(); // Prometheus text
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const refresh: RefreshMetrics = {
    outcomes: new Counter({
      name: 'tiktok_token_refreshes_total',
      help: 'Token refresh attempts by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    leadTime: new Histogram({
      name: 'tiktok_token_refresh_lead_time_seconds',
      help: 'How long before the old access token expired a refresh succeeded',
      buckets: [0, 10, 60, 600, 3600, 6 * 3600, 86_400, 2 * 86_400, 7 * 86_400],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'tiktok_token_refresh_duration_seconds',
      help: 'Duration of a refresh attempt: the TikTok call and the write of its result',
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
  const { connections } = options;
  if (connections) {
    new Gauge({
      name: 'tiktok_connections',
      help: 'Connections (seller authorizations) by status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const counts = await connections.counts();
        for (const status of connections.statuses) this.set({ status }, counts[status] ?? 0);
      },
    });
  }
  return { registry, refresh };
}
