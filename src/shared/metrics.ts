import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerStateGauges, type StateReaders } from './state-gauges.js';

/** How one refresh attempt ended, as counted by `tiktok_token_refreshes_total{outcome}`. */
export type RefreshOutcome = 'refreshed' | 'transient_failure' | 'grant_dead' | 'permission' | 'stale_write' | 'error';

export interface RefreshMetrics {
  outcomes: Counter<'outcome'>;
  /** Seconds between a successful refresh and the expiry of the token it replaced (negative: refreshed too late). */
  leadTime: Histogram;
  /** Seconds from the call to TikTok until the new tokens were stored (or the failure was recorded). */
  duration: Histogram;
  /** 1 while this process's refresh circuit for the app is open or half-open (refreshes with time left postponed), else 0. */
  circuitOpen: Gauge<'app'>;
}

export interface HttpMetrics {
  /** `http_request_duration_seconds{method, route, status}`: `route` is the route's template, never the raw path. */
  requestDuration: Histogram<'method' | 'route' | 'status'>;
}

export interface TikTokCallMetrics {
  /** Every exchange with TikTok (each attempt), by endpoint template, method and TikTok's code. */
  duration: Histogram<'api' | 'method' | 'code'>;
  /** Attempts after the first (a retried call counts once per retry). */
  retries: Counter<'api' | 'method'>;
}

export interface RetentionMetrics {
  /** Rows the retention worker deleted, by table. */
  deleted: Counter<'table'>;
}

export interface Metrics {
  /** This service's own registry (never prom-client's global one), so several apps can live in one process. */
  registry: Registry;
  refresh: RefreshMetrics;
  http: HttpMetrics;
  tiktok: TikTokCallMetrics;
  retention: RetentionMetrics;
}

export interface MetricsOptions extends StateReaders {
  /** Node's process metrics (prom-client's defaults: CPU, memory, event loop lag, GC, handles). The service turns them on. */
  processMetrics?: boolean;
}

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Creates a registry and the service's metrics in it. Names follow Prometheus conventions
 * (`_total`, `_seconds`); every label value is bounded (templates and codes, never paths or ids).
 *
 * @example
 * const metrics = createMetrics({ processMetrics: true, connections: { statuses: connectionStatuses, counts: () => lifecycleStore.countByStatus() } });
 * metrics.refresh.outcomes.inc({ outcome: 'refreshed' });
 * await metrics.registry.metrics(); // Prometheus text
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const refresh: RefreshMetrics = {
    outcomes: new Counter({ name: 'tiktok_token_refreshes_total', help: 'Token refresh attempts by outcome', labelNames: ['outcome'], registers }),
    leadTime: new Histogram({
      name: 'tiktok_token_refresh_lead_time_seconds',
      help: 'How long before the old access token expired a refresh succeeded',
      buckets: [0, 10, 60, 600, 3600, 6 * 3600, 86_400, 2 * 86_400, 7 * 86_400],
      registers,
    }),
    duration: new Histogram({
      name: 'tiktok_token_refresh_duration_seconds',
      help: 'Duration of a refresh attempt: the TikTok call and the write of its result',
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    circuitOpen: new Gauge({
      name: 'connect_refresh_circuit_open',
      help: "1 while this process's refresh circuit for the app is open or half-open (TikTok's token endpoint failing; refreshes of tokens with time left postponed), else 0",
      labelNames: ['app'],
      registers,
    }),
  };
  const http: HttpMetrics = {
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests served, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: latencyBuckets,
      registers,
    }),
  };
  const tiktok: TikTokCallMetrics = {
    duration: new Histogram({
      name: 'tiktok_api_request_duration_seconds',
      help: 'Calls to TikTok (each attempt), by endpoint template, method and TikTok code (0: success)',
      labelNames: ['api', 'method', 'code'],
      buckets: [...latencyBuckets, 15],
      registers,
    }),
    retries: new Counter({
      name: 'tiktok_api_retries_total',
      help: 'Calls to TikTok sent again after a retryable failure (rate limit, network, 5xx)',
      labelNames: ['api', 'method'],
      registers,
    }),
  };
  const retention: RetentionMetrics = {
    deleted: new Counter({ name: 'connect_retention_deleted_rows_total', help: 'Rows purged by retention, by table', labelNames: ['table'], registers }),
  };
  registerStateGauges(registry, options);
  return { registry, refresh, http, tiktok, retention };
}

/**
 * The observer the TikTok clients take: one histogram sample per attempt, one retry per attempt after the first.
 *
 * @example
 * createApiClient({ …, observer: observeTikTokCalls(metrics.tiktok) });
 */
export function observeTikTokCalls(metrics: TikTokCallMetrics) {
  return (call: { api: string; method: string; code: string; seconds: number; attempt: number }): void => {
    metrics.duration.observe({ api: call.api, method: call.method, code: call.code }, call.seconds);
    if (call.attempt > 1) metrics.retries.inc({ api: call.api, method: call.method });
  };
}
