import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/clock.js';
import { startTestService, type TestService } from '../support/service.js';
import { connectSeller, createClient, withKey } from './support.js';

interface AuditRow {
  actor_type: string;
  actor_id: string | null;
  action: string;
  outcome: string;
  shop_id: string | null;
  connection_id: string | null;
  detail: Record<string, unknown> | null;
}

const searchOrders = '/order/202309/orders/search';
const signRoute = 'POST /v1/shops/:shopId/sign';

/** Every call to the shop endpoints leaves one audit event, whether it is answered or refused. */
describe('the audit trail of token, sign and proxy calls', () => {
  let service: TestService;
  const clock = new FakeClock('2026-11-23T10:00:05.000Z');
  let full: { id: string; call: ReturnType<typeof withKey> };
  let connectionId: string;
  let shopId: string;

  const client = async (input: Parameters<typeof createClient>[1]) => {
    const created = await createClient(service, input);
    return { id: created.id, call: withKey(service, created.key) };
  };
  /** The audit events of one request, by the X-Request-Id it was answered with. */
  const eventsOf = async (response: Response): Promise<AuditRow[]> => {
    await service.audit.flush();
    return service.db.sql.query<AuditRow>(
      'SELECT actor_type, actor_id, action, outcome, shop_id, connection_id, detail FROM audit_events WHERE request_id = $1 ORDER BY id',
      [response.headers.get('x-request-id')],
    );
  };
  const signBody = JSON.stringify({ method: 'POST', path: searchOrders, body: { order_status: 'UNPAID' } });
  const sign = (call: ReturnType<typeof withKey>, shop = shopId) => call(`/v1/shops/${shop}/sign`, { method: 'POST', body: signBody });

  beforeAll(async () => {
    service = await startTestService({ REFRESH_SWEEP_INTERVAL_SECONDS: '3600' }, { clock });
    full = await client({ name: 'orders app' });
    const created = await full.call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'audit-merchant' }) });
    const seller = service.simulator!.control.builtInSellers.local;
    connectionId = await connectSeller(service, ((await created.json()) as { url: string }).url, seller);
    shopId = seller.shops[0]!.id;
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('calls that are answered', () => {
    it('audits a signature with client, shop, connection, route and outcome', async () => {
      const response = await sign(full.call);
      expect(response.status).toBe(200);
      expect(await eventsOf(response)).toStrictEqual([
        {
          actor_type: 'api_client', actor_id: full.id, action: 'sign', outcome: 'success', shop_id: shopId, connection_id: connectionId,
          detail: { route: signRoute, method: 'POST', path: searchOrders },
        },
      ]);
    });

    it('audits a proxied call with client, shop, connection, route, outcome and TikTok status', async () => {
      const response = await full.call(`/v1/shops/${shopId}/proxy${searchOrders}?page_size=10`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(200);
      expect(await eventsOf(response)).toStrictEqual([
        {
          actor_type: 'api_client', actor_id: full.id, action: 'proxy', outcome: 'success', shop_id: shopId, connection_id: connectionId,
          detail: { route: 'POST /v1/shops/:shopId/proxy/*path', method: 'POST', path: searchOrders, tiktokStatus: 200 },
        },
      ]);
    });

    it('audits a refusal inside the use case once, as that call (409 connection_suspended)', async () => {
      await service.db.sql.query(`UPDATE connections SET status = 'suspended', status_reason = 'review' WHERE id = $1`, [connectionId]);
      const response = await full.call(`/v1/shops/${shopId}/token`);
      await service.db.sql.query(`UPDATE connections SET status = 'active', status_reason = NULL WHERE id = $1`, [connectionId]);
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ code: 'connection_suspended', hint: 'An administrator suspended this connection; ask them to resume it in /admin.' });
      expect(await eventsOf(response)).toStrictEqual([
        {
          actor_type: 'api_client', actor_id: full.id, action: 'token.read', outcome: 'denied', shop_id: shopId, connection_id: connectionId,
          detail: { route: 'GET /v1/shops/:shopId/token', code: 'connection_suspended' },
        },
      ]);
    });
  });

  describe('calls refused before they reach the use case', () => {
    const refused = (actorId: string | null, route: string, code: string, status: number, shop: string | null = shopId): AuditRow => ({
      actor_type: 'api_client', actor_id: actorId, action: 'request.refused', outcome: 'denied', shop_id: shop, connection_id: null,
      detail: { route, code, status },
    });

    it('audits a key lacking the sign scope: 403 scope_forbidden', async () => {
      const reader = await client({ name: 'token reader', scopes: ['tokens:read'] });
      const response = await sign(reader.call);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: 'scope_forbidden', hint: 'Ask an operator for a key with this scope.' });
      expect(await eventsOf(response)).toStrictEqual([refused(reader.id, signRoute, 'scope_forbidden', 403)]);
    });

    it('audits a shop the key is not allowed: 403 shop_forbidden', async () => {
      const limited = await client({ name: 'other shop app', shopIds: ['999'] });
      const response = await sign(limited.call);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: 'shop_forbidden', hint: 'This key is limited to other shops; ask an operator to allow this shop.' });
      expect(await eventsOf(response)).toStrictEqual([refused(limited.id, signRoute, 'shop_forbidden', 403)]);
    });

    it('audits a rate-limited call: 429 rate_limited', async () => {
      const slow = await client({ name: 'slow app', rateLimitPerMinute: 1 });
      expect((await slow.call(`/v1/shops/${shopId}/token`)).status).toBe(200);
      const response = await slow.call(`/v1/shops/${shopId}/token`);
      expect(response.status).toBe(429);
      expect(await response.json()).toMatchObject({ code: 'rate_limited', hint: 'Slow down: wait for Retry-After seconds, then retry.' });
      expect(await eventsOf(response)).toStrictEqual([refused(slow.id, 'GET /v1/shops/:shopId/token', 'rate_limited', 429)]);
    });

    it('audits an invalid sign request: 400 validation_failed', async () => {
      const response = await full.call(`/v1/shops/${shopId}/sign`, { method: 'POST', body: JSON.stringify({ method: 'FETCH', path: searchOrders }) });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'validation_failed' });
      expect(await eventsOf(response)).toStrictEqual([refused(full.id, signRoute, 'validation_failed', 400)]);
    });

    it('audits a call without an API key, with no client: 401 api_key_missing', async () => {
      const response = await service.request(`/v1/shops/${shopId}/proxy${searchOrders}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'api_key_missing' });
      expect(await eventsOf(response)).toStrictEqual([refused(null, 'POST /v1/shops/:shopId/proxy/*path', 'api_key_missing', 401)]);
    });

    it('writes nothing for an endpoint that is not audited', async () => {
      const response = await service.request('/v1/connections');
      expect(response.status).toBe(401);
      expect(await eventsOf(response)).toStrictEqual([]);
    });
  });

  describe('a flood of calls with bad keys', () => {
    const badKey = () => service.request(`/v1/shops/${shopId}/token`, { headers: { 'x-api-key': 'tsc_nope_0000000000000000000000000000000000000000000' } });
    const anonymousRefusals = async () => {
      await service.audit.flush();
      return service.db.sql.query<{ action: string; detail: Record<string, unknown> }>(
        `SELECT action, detail FROM audit_events WHERE actor_id IS NULL AND action LIKE 'request.refus%' AND occurred_at >= $1 ORDER BY id`,
        [clock.now()],
      );
    };

    it('records at most 60 a minute per process, then one event with how many were left out', async () => {
      clock.set('2026-11-23T10:05:00.000Z');
      for (let i = 0; i < 75; i += 1) expect((await badKey()).status).toBe(401);
      const flood = await anonymousRefusals();
      expect(flood).toHaveLength(60);
      expect(flood[0]).toStrictEqual({ action: 'request.refused', detail: { route: 'GET /v1/shops/:shopId/token', code: 'api_key_invalid', status: 401 } });

      clock.set('2026-11-23T10:06:00.000Z');
      expect((await badKey()).status).toBe(401);
      expect((await anonymousRefusals()).map((event) => [event.action, event.detail])).toStrictEqual([
        ['request.refusals_suppressed', { suppressed: 15, minuteStartedAt: '2026-11-23T10:05:00.000Z' }],
        ['request.refused', { route: 'GET /v1/shops/:shopId/token', code: 'api_key_invalid', status: 401 }],
      ]);
    });
  });
});
