import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSeller, createClient, withKey } from '../apps/support.js';
import { FakeClock } from '../support/clock.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue #12 item 4: defaults for internal traffic. No per-client limit unless the operator sets one;
 * TikTok's 50 calls a second per (app, shop, API) kept once for every replica, refused before TikTok
 * is called.
 */
describe('issue #12: limits for internal traffic', () => {
  const clock = new FakeClock('2026-12-03T10:00:00.000Z');
  let a: TestService;
  let b: TestService;
  let shopId: string;
  let key: string;
  const sim = () => a.simulator!.control;
  const search = '/order/202309/orders/search';

  beforeAll(async () => {
    // Two replicas on one database, one TikTok (the simulator mounted in a), one clock that moves only when told.
    a = await startTestService({}, { clock });
    b = await startTestService({}, { db: a.db, clock, configure: (config) => ({ ...config, tiktok: { ...a.config.tiktok, mode: 'live' } }) });
    ({ key } = await createClient(a, {}));
    const created = await withKey(a, key)('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-12' }) });
    await connectSeller(a, ((await created.json()) as { url: string }).url, sim().builtInSellers.local);
    shopId = sim().builtInSellers.local.shops[0]!.id;
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  describe('an API client created without --rate-limit', () => {
    it('is not limited at 61 requests in a minute, and its answers carry no X-RateLimit-* headers', async () => {
      const call = withKey(a, (await createClient(a, { name: 'internal app' })).key);
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) {
        const response = await call(`/v1/shops/${shopId}/token`);
        statuses.push(response.status);
        if (i === 60) expect(response.headers.get('x-ratelimit-limit')).toBeNull();
      }
      expect(statuses).toStrictEqual(Array.from({ length: 61 }, () => 200));
    });

    it('is still limited when the operator sets a limit for it', async () => {
      const call = withKey(a, (await createClient(a, { name: 'limited app', rateLimitPerMinute: 2 })).key);
      expect((await call(`/v1/shops/${shopId}/token`)).status).toBe(200);
      expect((await call(`/v1/shops/${shopId}/token`)).status).toBe(200);
      const third = await call(`/v1/shops/${shopId}/token`);
      expect(third.status).toBe(429);
      expect(((await third.json()) as { code: string }).code).toBe('rate_limited');
    });
  });

  describe("TikTok's 50 calls a second per shop and API", () => {
    it('are shared by two replicas: 50 between them in one second, the 51st is 429 with Retry-After and never reaches TikTok', async () => {
      clock.advanceSeconds(10);
      sim().resetCounters();
      const replicas = [withKey(a, key), withKey(b, key)];
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) {
        const response = await replicas[i % 2]!(`/v1/shops/${shopId}/proxy${search}`, { method: 'POST', body: '{}' });
        statuses.push(response.status);
      }
      expect(statuses).toStrictEqual(Array.from({ length: 50 }, () => 200));
      expect(sim().counters().apiCalls.byPath[search]).toBe(50);

      const over = await replicas[1]!(`/v1/shops/${shopId}/proxy${search}`, { method: 'POST', body: '{}' });
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toBe('1');
      expect(await over.json()).toMatchObject({
        success: false,
        code: 'tiktok_rate_limited',
        error: `This shop has used TikTok's 50 calls a second for ${search}; the service did not call TikTok. Retry after the second.`,
      });
      expect(sim().counters().apiCalls.byPath[search]).toBe(50);

      // The next second has a budget again, on either replica.
      clock.advanceSeconds(1);
      expect((await replicas[0]!(`/v1/shops/${shopId}/proxy${search}`, { method: 'POST', body: '{}' })).status).toBe(200);
      expect(sim().counters().apiCalls.byPath[search]).toBe(51);
    });

    it('is kept per API: another API of the same shop still has its own 50', async () => {
      clock.advanceSeconds(10);
      const call = withKey(b, key);
      for (let i = 0; i < 50; i++) await call(`/v1/shops/${shopId}/proxy${search}`, { method: 'POST', body: '{}' });
      expect((await call(`/v1/shops/${shopId}/proxy${search}`, { method: 'POST', body: '{}' })).status).toBe(429);
      expect((await call(`/v1/shops/${shopId}/proxy/authorization/202309/shops`)).status).toBe(200);
    });
  });
});
