import type { NextFunction, Request, Response } from 'express';
import type { Registry } from 'prom-client';
import { MetricsTokenInvalid } from '../../shared/errors.js';
import { constantTimeEqual } from '../../shared/secrets.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';

export interface MetricsEndpointDeps {
  metrics: { registry: Registry };
  /** `METRICS_TOKEN`: when set, scrapers must send `Authorization: Bearer <token>`. */
  token?: string | undefined;
}

/** `GET /metrics`: this service's registry in Prometheus text format, behind `METRICS_TOKEN` when set. */
export function metricsEndpoints(deps: MetricsEndpointDeps): Endpoint[] {
  const { registry } = deps.metrics;
  return [
    defineEndpoint({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics: HTTP requests, TikTok calls, token refreshes, connections, outbox, database, Node process',
      tag: 'operations',
      auth: 'none',
      audited: false,
      middleware: deps.token === undefined ? [] : [requireMetricsToken(deps.token)],
      responses: { 200: { description: 'Prometheus text format' }, 401: { description: 'METRICS_TOKEN is set and the bearer token is missing or wrong' } },
      handler: async (_input, _req, res) => {
        const text = await registry.metrics();
        res.status(200).type(registry.contentType).send(text);
      },
    }),
  ];
}

/** Admits `Authorization: Bearer <token>`, compared in constant time; anything else is 401. */
function requireMetricsToken(token: string) {
  return function requireMetricsToken(req: Request, res: Response, next: NextFunction): void {
    const header = req.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (!constantTimeEqual(presented, token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new MetricsTokenInvalid('GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.');
    }
    next();
  };
}
