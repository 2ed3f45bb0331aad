import type { Registry } from 'prom-client';
import { defineEndpoint, type Endpoint } from '../endpoint.js';

/** `GET /metrics`: this service's registry in Prometheus text format. */
export function metricsEndpoints(deps: { metrics: { registry: Registry } }): Endpoint[] {
  const { registry } = deps.metrics;
  return [
    defineEndpoint({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (token refresh outcomes, lead time, duration; connections by status)',
      tag: 'operations',
      auth: 'none',
      audited: false,
      responses: { 200: { description: 'Prometheus text format' } },
      handler: async (_input, _req, res) => {
        const text = await registry.metrics();
        res.status(200).type(registry.contentType).send(text);
      },
    }),
  ];
}
