import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAppScopes } from '../../src/simulator/index.js';
import { connectSeller, createClient, withKey } from '../apps/support.js';
import { startTestService, type TestService } from '../support/service.js';

/** The signed proxy and signatures against the simulator, which verifies every signature over the bytes it receives. */
describe('/v1/shops/:shopId/proxy and /sign against the simulator', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let shopId: string;
  let productIds: string[];
  const sim = () => service.simulator!.control;
  const proxy = (tiktokPath: string) => `/v1/shops/${shopId}/proxy${tiktokPath}`;

  beforeAll(async () => {
    service = await startTestService({}, { simulator: { appScopes: [...defaultAppScopes, 'seller.product.delete'] } });
    const { key } = await createClient(service, { rateLimitPerMinute: 1000 });
    call = withKey(service, key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-proxy' }) });
    await connectSeller(service, ((await created.json()) as { url: string }).url, sim().builtInSellers.local);
    shopId = sim().builtInSellers.local.shops[0]!.id;
    const search = await call(proxy('/product/202309/products/search'), { method: 'POST', body: '{}' });
    productIds = ((await search.json()) as { data: { products: { id: string }[] } }).data.products.map((product) => product.id);
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('DELETE with a JSON body (Delete Products)', () => {
    it('forwards the body byte for byte, signed, and returns what TikTok answered about it', async () => {
      sim().resetCounters();
      const response = await call(proxy('/product/202309/products'), {
        method: 'DELETE',
        body: `{ "product_ids": ["${productIds[0]}", "1799999999999999999"] }`,
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { code: number; data: unknown };
      expect(body.code).toBe(0);
      // Only the id the shop does not have comes back: the simulator read both ids from the body it received.
      expect(body.data).toStrictEqual({
        errors: [{ code: 12052004, message: 'The product does not exist in this shop (simulator).', detail: { product_id: '1799999999999999999' } }],
      });
      expect(sim().counters()).toMatchObject({ badSignatures: 0, apiCalls: { total: 1, byPath: { '/product/202309/products': 1 } } });
    });

    it('signs a DELETE with its body so that the simulator accepts it as sent', async () => {
      sim().resetCounters();
      const response = await call(`/v1/shops/${shopId}/sign`, {
        method: 'POST',
        body: JSON.stringify({ method: 'DELETE', path: '/product/202309/products', body: { product_ids: [productIds[1]] } }),
      });
      expect(response.status).toBe(200);
      const signed = (await response.json()) as { url: string; headers: Record<string, string>; body: string };
      expect(signed.body).toBe(`{"product_ids":["${productIds[1]}"]}`);
      expect(signed.headers['content-type']).toBe('application/json');
      const sent = await fetch(signed.url, { method: 'DELETE', headers: signed.headers, body: signed.body });
      expect(await sent.json()).toMatchObject({ code: 0, data: { errors: [] } });
      expect(sim().counters().badSignatures).toBe(0);
    });
  });

  describe('query parameters the service sets itself', () => {
    it('drops app_key, timestamp, sign, access_token and version (any case), keeps the rest, and the signature holds', async () => {
      const search = await call(proxy('/order/202309/orders/search'), { method: 'POST', body: '{}' });
      const orderId = ((await search.json()) as { data: { orders: { id: string }[] } }).data.orders[0]!.id;
      sim().resetCounters();
      // shop_cipher is not dropped: an explicit value overrides the cipher rule (see issue-11.int.test.ts).
      const reserved = 'app_key=mine&timestamp=1&sign=forged&access_token=stolen&version=202212&SIGN=forged';
      const response = await call(proxy(`/order/202309/orders?ids=${orderId}&${reserved}`));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { code: number; data: { orders: { id: string }[] } };
      expect(body.code).toBe(0);
      expect(body.data.orders.map((order) => order.id)).toStrictEqual([orderId]);
      expect(sim().counters().badSignatures).toBe(0);
    });
  });

  describe('when TikTok rate-limits the shop', () => {
    it('answers 429 tiktok_rate_limited with Retry-After and X-RateLimit-*, like every 429', async () => {
      sim().failNext({ kind: 'rate-limit', count: 3, path: '/order/202309/orders/search' });
      const response = await call(proxy('/order/202309/orders/search'), { method: 'POST', body: '{}' });
      expect(response.status).toBe(429);
      expect(await response.json()).toMatchObject({
        code: 'tiktok_rate_limited',
        tiktok: { code: 36009002, message: 'Too many requests. Please retry later.' },
      });
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('x-ratelimit-limit')).toBe('1000');
      expect(Number(response.headers.get('x-ratelimit-remaining'))).toBeLessThan(1000);
      expect(response.headers.get('x-ratelimit-reset')).toMatch(/^\d{10}$/);
    });
  });
});
