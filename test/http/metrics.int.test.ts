import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectSeller, createClient, withKey } from '../apps/support.js';
import { freePort, startTestService, type TestService } from '../support/service.js';

/** Issue #17: what an operator's Prometheus sees. */
describe('GET /metrics', () => {
  describe('with no METRICS_TOKEN or METRICS_PORT', () => {
    let service: TestService;
    let shopId: string;
    let call: ReturnType<typeof withKey>;
    beforeAll(async () => {
      service = await startTestService();
      const client = await createClient(service);
      call = withKey(service, client.key);
      const session = await service.connections.createConnectSession({ merchantRef: 'metrics' });
      const seller = service.simulator!.control.builtInSellers.local;
      await connectSeller(service, session.url, seller);
      shopId = seller.shops[0]!.id;
    });
    afterAll(async () => {
      await service?.stop();
    });

    const scrape = async () => {
      const response = await service.request('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      return response.text();
    };

    it("includes Node's process metrics", async () => {
      const text = await scrape();
      for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
        expect(text).toMatch(new RegExp(`^${name}`, 'm'));
      }
    });

    it('times HTTP requests by route template, never by raw path', async () => {
      expect((await service.request('/v1/shops/999888777666/token')).status).toBe(401);
      expect((await call(`/v1/shops/${shopId}/token`)).status).toBe(200);
      expect((await service.request('/v1/no/such/route/424242')).status).toBe(404);
      const text = await scrape();
      expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/v1/shops/:shopId/token",status="401"} 1');
      expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/v1/shops/:shopId/token",status="200"} 1');
      expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/shops\/:shopId\/token",status="200"\} \d+$/m);
      expect(text).toContain('http_request_duration_seconds_count{method="GET",route="(unmatched)",status="404"} 1');
      expect(text).not.toContain('999888777666');
      expect(text).not.toContain('424242');
      expect(text).not.toContain(shopId);
    });

    it('times calls to TikTok by endpoint template and TikTok code, and counts retries', async () => {
      const sim = service.simulator!.control;
      sim.failNext({ kind: 'server-error', count: 1, path: '/order/202309/orders/search' });
      const proxied = await call(`/v1/shops/${shopId}/proxy/order/202309/orders/search?page_size=1`, { method: 'POST', body: '{}' });
      expect(proxied.status).toBe(503); // a POST is not retried after a 5xx: it may have taken effect
      sim.failNext({ kind: 'rate-limit', count: 1, path: '/order/202309/orders/search' });
      expect((await call(`/v1/shops/${shopId}/proxy/order/202309/orders/search?page_size=1`, { method: 'POST', body: '{}' })).status).toBe(200);
      const text = await scrape();
      const search = 'api="/order/202309/orders/search",method="POST",code="%s"';
      expect(text).toContain(`tiktok_api_request_duration_seconds_count{${search.replace('%s', '36009003')}} 1`);
      expect(text).toContain(`tiktok_api_request_duration_seconds_count{${search.replace('%s', '36009002')}} 1`);
      expect(text).toContain(`tiktok_api_request_duration_seconds_count{${search.replace('%s', '0')}} 1`);
      expect(text).toContain('tiktok_api_retries_total{api="/order/202309/orders/search",method="POST"} 1');
      // The connect above exchanged a code and listed the shops.
      expect(text).toContain('tiktok_api_request_duration_seconds_count{api="/api/v2/token/get",method="GET",code="0"} 1');
      expect(text).toContain('tiktok_api_request_duration_seconds_count{api="/authorization/202309/shops",method="GET",code="0"} 1');
    });

    it("labels a 105005 (a missing API package) with TikTok's code", async () => {
      service.simulator!.control.forceScopeDenied('/order/202309/orders/search');
      const refused = await call(`/v1/shops/${shopId}/proxy/order/202309/orders/search?page_size=1`, { method: 'POST', body: '{}' });
      service.simulator!.control.clearFaults();
      expect(refused.status).toBe(403);
      expect(await scrape()).toContain('tiktok_api_request_duration_seconds_count{api="/order/202309/orders/search",method="POST",code="105005"} 1');
    });

    it('labels a call to an endpoint the scope table does not list as (unlisted)', async () => {
      expect((await call(`/v1/shops/${shopId}/proxy/not-a-tiktok-api/202309/things/1234567890123`)).status).toBeGreaterThanOrEqual(400);
      const text = await scrape();
      expect(text).toMatch(/tiktok_api_request_duration_seconds_count\{api="\(unlisted\)",method="GET",code="[^"]+"\} 1/);
      expect(text).not.toContain('1234567890123');
    });

    it('reports connections, expiring authorizations, the outbox and the database from the database', async () => {
      // The dispatcher fans events out on its own schedule: wait until it has taken the 105005's event.
      const text = await vi.waitFor(async () => {
        const scraped = await scrape();
        expect(scraped).toContain('connect_outbox_unpublished_events 0');
        return scraped;
      }, { timeout: 15_000 });
      expect(text).toContain('tiktok_connections{status="active"} 1');
      expect(text).toContain('tiktok_authorizations_expiring{within_days="30"} 0');
      expect(text).toContain('connect_outbox_events 2'); // connection.created, and connection.scope_problem from the 105005 above
      expect(text).toMatch(/^connect_outbox_oldest_event_age_seconds \d+(\.\d+)?$/m);
      // The dispatcher fanned the event out (to no subscription): nothing waits.
      expect(text).toContain('connect_outbox_unpublished_events 0');
      expect(text).toContain('connect_outbox_oldest_unpublished_event_age_seconds 0');
      expect(text).toContain('connect_database_up 1');
      expect(text).toContain('# TYPE tiktok_token_refreshes_total counter');
    });
  });

  describe('with METRICS_TOKEN', () => {
    const token = 'scrape-token-0123456789abcdef';
    let service: TestService;
    beforeAll(async () => {
      service = await startTestService({ METRICS_TOKEN: token });
    });
    afterAll(async () => {
      await service?.stop();
    });

    it.each([
      ['no Authorization header', undefined],
      ['another token', 'Bearer scrape-token-0123456789abcdeX'],
      ['the token without Bearer', token],
      ['a Basic header', `Basic ${Buffer.from(`prometheus:${token}`).toString('base64')}`],
    ])('answers 401 metrics_token_invalid for %s', async (_case, authorization) => {
      const response = await service.request('/metrics', authorization === undefined ? {} : { headers: { authorization } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await response.json()).toStrictEqual({
        success: false,
        code: 'metrics_token_invalid',
        error: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.',
        hint: 'Send Authorization: Bearer <METRICS_TOKEN> (set bearer_token_file in the Prometheus scrape config).',
        requestId: expect.any(String),
      });
    });

    it('answers the metrics to the bearer of the token', async () => {
      const response = await service.request('/metrics', { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('# TYPE http_request_duration_seconds histogram');
    });
  });

  describe('with METRICS_PORT', () => {
    let service: TestService | undefined;
    let metricsPort: number;
    beforeAll(async () => {
      metricsPort = await freePort();
      service = await startTestService({ METRICS_PORT: String(metricsPort), METRICS_TOKEN: 'port-token-0123456789abcdef' });
    });
    afterAll(async () => {
      await service?.stop();
    });

    it('serves /metrics on that port only, still behind METRICS_TOKEN', async () => {
      expect((await service!.request('/metrics')).status).toBe(404);
      const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      expect((await fetch(metricsUrl)).status).toBe(401);
      const response = await fetch(metricsUrl, { headers: { authorization: 'Bearer port-token-0123456789abcdef' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('connect_database_up 1');
      expect((await fetch(`http://127.0.0.1:${metricsPort}/v1/connections`)).status).toBe(404);
    });

    it('stops listening on it when the service closes', async () => {
      await service!.stop();
      service = undefined;
      await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
    });
  });
});
