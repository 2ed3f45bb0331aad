import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/logger.js';
import { mountEndpoints } from './endpoint.js';
import { errorHandler } from './middleware/error-handler.js';
import { notFound } from './middleware/not-found.js';
import { requestId } from './middleware/request-id.js';
import { metricsEndpoints } from './routes/metrics.js';

export interface MetricsServerDeps {
  registry: Registry;
  /** `METRICS_PORT` (0: any free port, for tests). */
  port: number;
  token?: string | undefined;
  logger: Logger;
}

export interface MetricsServer {
  /** Listens; resolves with the base URL (`http://127.0.0.1:<port>`). */
  start(): Promise<string>;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

/**
 * `/metrics` on its own port (`METRICS_PORT`), so it can stay off the public listener: only
 * `GET /metrics` answers there, with the same `METRICS_TOKEN` check. Nothing listens until `start()`.
 *
 * @example
 * const server = createMetricsServer({ registry: metrics.registry, port: 9464, token, logger });
 * await server.start(); // … await server.stop();
 */
export function createMetricsServer(deps: MetricsServerDeps): MetricsServer {
  let server: Server | undefined;
  return {
    async start() {
      const app = express();
      app.disable('x-powered-by');
      app.use(requestId);
      const endpoints = metricsEndpoints({ metrics: { registry: deps.registry }, token: deps.token });
      mountEndpoints(app, endpoints);
      app.use(notFound(endpoints));
      app.use(errorHandler(deps.logger));
      const listening = createServer(app);
      server = listening;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(deps.port, () => resolve());
      });
      return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    },
    async stop() {
      const listening = server;
      server = undefined;
      if (!listening) return;
      const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
      listening.closeAllConnections();
      await closed;
    },
  };
}
