import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { connectSeller, createClient, withKey } from './support.js';

/**
 * A proxied GET goes to TikTok with what this process last read of the shop while the credential
 * read runs; the read still decides what the app gets.
 */
describe('proxy GETs sent while the credential read runs', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let connectionId: string;
  let shopId: string;
  const orders = '/order/202309/orders?ids=576461413038785752';
  const sim = () => service.simulator!.control;

  beforeAll(async () => {
    service = await startTestService();
    const client = await createClient(service, { name: 'orders app' });
    call = withKey(service, client.key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-7' }) });
    const { url } = (await created.json()) as { url: string };
    connectionId = await connectSeller(service, url, sim().builtInSellers.local);
    shopId = sim().builtInSellers.local.shops[0]!.id;
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('answers TikTok through one call per request once the shop was read', async () => {
    expect((await call(`/v1/shops/${shopId}/proxy${orders}`)).status).toBe(200);
    const before = sim().counters().apiCalls.total;
    const response = await call(`/v1/shops/${shopId}/proxy${orders}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { code: number }).code).toBe(0);
    expect(sim().counters().apiCalls.total - before).toBe(1);
    expect(response.headers.get('server-timing')).toMatch(/^db;dur=[\d.]+, tiktok;dur=[\d.]+, wait;dur=[\d.]+, total;dur=[\d.]+$/);
  });

  it('answers 409 for a connection suspended since the last read, never with what TikTok answered', async () => {
    expect((await call(`/v1/shops/${shopId}/proxy${orders}`)).status).toBe(200);
    await service.db.sql.query(`UPDATE connections SET status = 'suspended', status_reason = 'fraud review' WHERE id = $1`, [connectionId]);
    try {
      const response = await call(`/v1/shops/${shopId}/proxy${orders}`);
      expect(response.status).toBe(409);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ code: 'connection_suspended', error: 'An administrator suspended this connection. Reason: fraud review' });
      expect(body).not.toHaveProperty('data');
    } finally {
      await service.db.sql.query(`UPDATE connections SET status = 'active', status_reason = NULL WHERE id = $1`, [connectionId]);
    }
  });

  it('sends again with the new token when the token was refreshed since the last read, without another refresh', async () => {
    expect((await call(`/v1/shops/${shopId}/proxy${orders}`)).status).toBe(200);
    // Another replica's refresh, as TikTok sees it: the token this process last read stops working.
    sim().expireAccessTokens(sim().builtInSellers.local.openId);
    const shopLists = () => sim().counters().apiCalls.byPath['/authorization/202309/shops'] ?? 0;
    const listed = shopLists();
    await service.refresher.refreshNow(connectionId);
    // Get Authorized Shops after the refresh (#11 item 8) must not count as this call's.
    await vi.waitFor(() => expect(shopLists()).toBe(listed + 1));
    const before = sim().counters();
    const response = await call(`/v1/shops/${shopId}/proxy${orders}`);
    expect(response.status).toBe(200);
    const after = sim().counters();
    expect(((await response.json()) as { code: number }).code).toBe(0);
    // One call with the old token (sent early, its answer dropped: the read found another token) and one with the
    // new; the answer does not wait for the dropped one, which on a loaded machine may reach TikTok after it. No refresh.
    expect(after.apiCalls.total - before.apiCalls.total).toBeGreaterThanOrEqual(1);
    expect(after.apiCalls.total - before.apiCalls.total).toBeLessThanOrEqual(2);
    expect(after.refreshes.total - before.refreshes.total).toBe(0);
  });

  it('sends a POST only after the read, once', async () => {
    const search = '/order/202309/orders/search?page_size=10';
    expect((await call(`/v1/shops/${shopId}/proxy${search}`, { method: 'POST', body: '{}' })).status).toBe(200);
    const before = sim().counters().apiCalls.total;
    await service.db.sql.query(`UPDATE connections SET status = 'suspended' WHERE id = $1`, [connectionId]);
    try {
      expect((await call(`/v1/shops/${shopId}/proxy${search}`, { method: 'POST', body: '{}' })).status).toBe(409);
      expect(sim().counters().apiCalls.total).toBe(before);
    } finally {
      await service.db.sql.query(`UPDATE connections SET status = 'active' WHERE id = $1`, [connectionId]);
    }
  });
});
