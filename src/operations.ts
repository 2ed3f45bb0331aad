import type { Config } from './config.js';
import { createRetentionWorker } from './db/retention.js';
import type { SqlClient } from './db/sql.js';
import { createOperationsStore } from './db/stores/operations-store.js';
import { createRefreshStore } from './db/stores/refresh-store.js';
import { createMetricsServer } from './http/metrics-server.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import { createMetrics, type Metrics } from './shared/metrics.js';

/**
 * The service's metrics, with Node's process metrics and the gauges read from the database at
 * scrape time (connections by status, expiring authorizations, the outbox, whether the database answers).
 *
 * @example
 * const metrics = createServiceMetrics({ sql: db.sql, clock });
 */
export function createServiceMetrics(deps: { sql: SqlClient; clock: Clock }): Metrics {
  const { sql, clock } = deps;
  const operations = createOperationsStore(sql);
  return createMetrics({
    processMetrics: true,
    connectionCounts: () => createRefreshStore(sql).countByStatus(),
    outbox: () => operations.outbox(clock.now()),
    expiringAuthorizations: () => operations.expiringAuthorizations(clock.now()),
    databaseUp: () => operations.ping(),
  });
}

export interface OperationsWork {
  /** Starts the retention worker and, with `METRICS_PORT`, the metrics listener. */
  start(): Promise<void>;
  /** Stops both (waiting for a purge batch in progress). */
  stop(): Promise<void>;
}

/**
 * Background work for operators: retention (purging old rows, one replica at a time) and the
 * separate metrics listener when `METRICS_PORT` is set. Nothing runs until `start()`.
 *
 * @example
 * const operations = createOperationsWork({ config, sql: db.sql, clock, logger, metrics });
 * await operations.start(); // after listen … await operations.stop();
 */
export function createOperationsWork(deps: { config: Config; sql: SqlClient; clock: Clock; logger: Logger; metrics: Metrics }): OperationsWork {
  const { config, sql, clock, logger, metrics } = deps;
  const retention = createRetentionWorker({
    sql, clock, logger, policy: config.retention,
    onDeleted: (table, rows) => metrics.retention.deleted.inc({ table }, rows),
  });
  const metricsServer = config.metrics.port === undefined
    ? undefined
    : createMetricsServer({ registry: metrics.registry, port: config.metrics.port, token: config.metrics.token, logger });
  return {
    async start() {
      if (metricsServer) logger.info({ url: `${await metricsServer.start()}/metrics` }, 'metrics served on METRICS_PORT');
      retention.start();
    },
    async stop() {
      await retention.stop();
      await metricsServer?.stop();
    },
  };
}
