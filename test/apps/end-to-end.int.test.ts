import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sectionOf, textOf } from '../support/html.js';
import { startTestService, type TestService } from '../support/service.js';
import { connectSeller, createClient, withKey } from './support.js';

/**
 * Issue #6: an internal app from key to signed TikTok calls, and a 105005 made plain and fixed. The
 * whole chain as people walk it (CLI, merchant pages, re-authorization) is scope-problem-journey.int.test.ts.
 */
describe('internal apps end to end', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let clientId: string;
  let connectionId: string;
  let shopId: string;
  const statements = '/finance/202309/statements';

  beforeAll(async () => {
    service = await startTestService();
    const client = await createClient(service, { name: 'orders app' });
    clientId = client.id;
    call = withKey(service, client.key);
  });
  afterAll(async () => {
    await service?.stop();
  });

  const sim = () => service.simulator!.control;

  it('creates a connect session, and the merchant connects on the simulator', async () => {
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-42' }) });
    expect(created.status).toBe(201);
    const session = (await created.json()) as { id: string; url: string; expiresAt: string };
    expect(session.url).toMatch(new RegExp(`^${service.url.replace(/[.:/]/g, '\\$&')}/connect/`));
    connectionId = await connectSeller(service, session.url, sim().builtInSellers.local);
    shopId = sim().builtInSellers.local.shops[0]!.id;
  });

  it('lists the connection with its shops, never a token', async () => {
    const response = await call('/v1/connections?merchantRef=merchant-42');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { connections: Record<string, unknown>[]; nextCursor: string | null };
    expect(body.nextCursor).toBeNull();
    expect(body.connections).toHaveLength(1);
    const [connection] = body.connections;
    expect(connection).toMatchObject({
      id: connectionId,
      app: 'default',
      merchantRef: 'merchant-42',
      sellerName: 'Demo Local Seller',
      status: 'active',
      statusReason: null,
      problems: [],
      shops: [{ id: shopId, cipher: sim().builtInSellers.local.shops[0]!.cipher, name: 'Demo Local Shop US', region: 'US' }],
    });
    expect(Object.keys(connection!).sort()).toStrictEqual(
      ['accessTokenExpiresAt', 'app', 'authorizationExpiresAt', 'grantedScopes', 'id', 'merchantRef', 'problems', 'sellerName', 'shops', 'status', 'statusPageUrl', 'statusReason'].sort(),
    );
    expect(JSON.stringify(body)).not.toMatch(/TTP_|ROW_[A-Za-z0-9_-]{30,}"(?!)|access_token|refresh/i);
  });

  it('hands out the access token, and audits the read (issue #12: counted in credential_reads, attributable to its request)', async () => {
    const response = await call(`/v1/shops/${shopId}/token`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toStrictEqual(['accessToken', 'expiresAt', 'grantedScopes', 'shopCipher', 'shopId']);
    expect(body.shopId).toBe(shopId);
    expect(typeof body.accessToken).toBe('string');
    expect(body.grantedScopes).toStrictEqual(sim().settings().appScopes);
    await service.core.reads.flush();
    const requestId = response.headers.get('x-request-id');
    const rows = await service.db.sql.query<Record<string, unknown>>(
      `SELECT api_client_id, shop_id, connection_id, reads, succeeded, denied, failed, first_request_id, last_request_id FROM credential_reads`,
    );
    expect(rows).toStrictEqual([
      { api_client_id: clientId, shop_id: shopId, connection_id: connectionId, reads: 1, succeeded: 1, denied: 0, failed: 0, first_request_id: requestId, last_request_id: requestId },
    ]);
    await service.audit.flush();
    expect(await service.db.sql.query(`SELECT 1 FROM audit_events WHERE action = 'token.read'`)).toStrictEqual([]);
  });

  it('signs a request that the simulator accepts as sent', async () => {
    sim().resetCounters();
    const response = await call(`/v1/shops/${shopId}/sign`, {
      method: 'POST',
      body: JSON.stringify({ method: 'POST', path: '/order/202309/orders/search', query: { page_size: 20 }, body: { order_status: 'UNPAID' } }),
    });
    expect(response.status).toBe(200);
    const signed = (await response.json()) as { url: string; query: Record<string, string>; headers: Record<string, string>; body: string };
    expect(Object.keys(signed.query).sort()).toStrictEqual(['app_key', 'page_size', 'shop_cipher', 'sign', 'timestamp']);
    expect(signed.headers['content-type']).toBe('application/json');
    expect(signed.body).toBe('{"order_status":"UNPAID"}');
    const sent = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: signed.body });
    expect(((await sent.json()) as { code: number }).code).toBe(0);
    expect(sim().counters().badSignatures).toBe(0);
  });

  it('proxies a signed call and returns TikTok JSON with its request id', async () => {
    sim().resetCounters();
    const response = await call(`/v1/shops/${shopId}/proxy/order/202309/orders/search?page_size=10&sign=ignored&app_key=ignored`, {
      method: 'POST',
      body: '{"order_status": "UNPAID"}',
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { code: number; request_id: string; data: { orders: unknown[] } };
    expect(body.code).toBe(0);
    expect(Array.isArray(body.data.orders)).toBe(true);
    expect(response.headers.get('x-tiktok-request-id')).toBe(body.request_id);
    const timing = /^db;dur=(\d+\.\d\d), tiktok;dur=(\d+\.\d\d), wait;dur=(\d+\.\d\d), total;dur=(\d+\.\d\d)$/.exec(response.headers.get('server-timing') ?? '');
    expect(timing).not.toBeNull();
    // `wait` is the time spent waiting for the database or TikTok (either); the rest of `total` is the service's own.
    expect(Number(timing![4])).toBeGreaterThanOrEqual(Number(timing![3]));
    expect(sim().counters()).toMatchObject({ badSignatures: 0, apiCalls: { total: 1 } });
  });

  it('refreshes once and retries once when TikTok says the access token expired (105002)', async () => {
    const tokenBefore = ((await (await call(`/v1/shops/${shopId}/token`)).json()) as { accessToken: string }).accessToken;
    sim().resetCounters();
    expect(sim().expireAccessTokens(sim().builtInSellers.local.openId)).toBeGreaterThan(0);
    const response = await call(`/v1/shops/${shopId}/proxy/order/202309/orders/search?page_size=10`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { code: number }).code).toBe(0);
    const counters = sim().counters();
    expect(counters.refreshes.total).toBe(1);
    // The order search twice; Get Authorized Shops after the refresh runs in the background (#11 item 8).
    expect(counters.apiCalls.byPath['/order/202309/orders/search']).toBe(2);
    expect(counters.badSignatures).toBe(0);
    const tokenAfter = ((await (await call(`/v1/shops/${shopId}/token`)).json()) as { accessToken: string }).accessToken;
    expect(tokenAfter).not.toBe(tokenBefore);
  });

  it('answers 403 scope_missing when TikTok says 105005, and records the problem', async () => {
    sim().forceScopeDenied('/product/202309/products/search');
    const response = await call(`/v1/shops/${shopId}/proxy/product/202309/products/search`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(403);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      success: false,
      code: 'scope_missing',
      hint: 'The app developer must enable the API package for this scope in TikTok Partner Center (Manage API); then the merchant must re-authorize the app so the new scope is granted.',
      tiktok: { code: 105005, message: expect.any(String), requestId: expect.any(String) },
    });
    sim().clearFaults();
    // The next successful call to the same path closes the problem.
    expect((await call(`/v1/shops/${shopId}/proxy/product/202309/products/search`, { method: 'POST', body: '{}' })).status).toBe(200);
    const connection = (await (await call(`/v1/connections/${connectionId}`)).json()) as { problems: unknown[] };
    expect(connection.problems).toStrictEqual([]);
  });

  it('answers 403 scope_missing without calling TikTok when the grant lacks the scope, visible to apps and the merchant', async () => {
    sim().resetCounters();
    const response = await call(`/v1/shops/${shopId}/proxy${statements}`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      code: 'scope_missing',
      error: `This shop's authorization does not grant Finance Information, which GET ${statements} needs; TikTok was not called.`,
    });
    expect(sim().counters().apiCalls.total).toBe(0);

    const connection = (await (await call(`/v1/connections/${connectionId}`)).json()) as { problems: Record<string, unknown>[]; statusPageUrl: string };
    expect(connection.problems).toStrictEqual([
      {
        kind: 'scope_missing',
        apiPath: statements,
        scopeKeys: ['seller.finance.info'],
        scopeNames: ['Finance Information'],
        message: `The app is not allowed to call ${statements} (it needs Finance Information).`,
        remedy: 'The app developer enables the API package for this scope in TikTok Partner Center (Manage API); then the merchant re-authorizes the app.',
        tiktok: null,
        occurrences: 1,
        firstSeenAt: expect.any(String),
        lastSeenAt: expect.any(String),
      },
    ]);
    const page = await fetch(connection.statusPageUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(textOf(sectionOf(await page.text(), 'problems-heading'))).toBe(
      'What needs your attention We are fixing a problem on our side ' +
        'TikTok Shop Connect cannot use Finance Information for your shops yet. This is on our side; there is nothing to do yet. ' +
        'Details for support API /finance/202309/statements',
    );
  });

  it('closes the problem once the merchant re-authorizes with the scope', async () => {
    sim().setAppScopes([...sim().settings().appScopes, 'seller.finance.info']);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-42' }) });
    const { url } = (await created.json()) as { url: string };
    expect(await connectSeller(service, url, sim().builtInSellers.local)).toBe(connectionId);
    const response = await call(`/v1/shops/${shopId}/proxy${statements}`);
    expect(response.status).toBe(200);
    const connection = (await (await call(`/v1/connections/${connectionId}`)).json()) as { problems: unknown[]; grantedScopes: string[] };
    expect(connection.grantedScopes).toContain('seller.finance.info');
    expect(connection.problems).toStrictEqual([]);
    expect(sim().counters().badSignatures).toBe(0);
  });

  it('answers 409 with the status code for a suspended connection', async () => {
    await service.db.sql.query(`UPDATE connections SET status = 'suspended', status_reason = 'fraud review' WHERE id = $1`, [connectionId]);
    const response = await call(`/v1/shops/${shopId}/token`);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      code: 'connection_suspended',
      error: 'An administrator suspended this connection. Reason: fraud review',
    });
    await service.db.sql.query(`UPDATE connections SET status = 'active', status_reason = NULL WHERE id = $1`, [connectionId]);
  });

  it('describes every endpoint in GET /openapi.json', async () => {
    const response = await service.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining([
      '/v1/connect-sessions', '/v1/connections', '/v1/connections/{id}', '/v1/shops/{shopId}/token', '/v1/shops/{shopId}/sign', '/v1/shops/{shopId}/proxy/{path}', '/openapi.json',
    ]));
    expect(Object.keys(document.components.securitySchemes!)).toStrictEqual(['apiKeyHeader', 'bearerKey']);
    expect(document.paths['/v1/shops/{shopId}/token']!.get).toMatchObject({ 'x-required-scope': 'tokens:read', 'x-audited': true });
    expect(document.components.schemas!.Error).toMatchObject({ properties: { code: { type: 'string' } } });
  });
});
