import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { authorize, fakeClock, signedCall, start, type TokenData } from './support.js';

const clock = fakeClock();
let sim: RunningSimulator;
let crossBorder: TokenData;
beforeAll(async () => {
  sim = await start(clock);
  crossBorder = await authorize(sim, sim.control.builtInSellers.crossBorder.openId);
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.control.clearFaults();
  sim.control.resetCounters();
});

const scopeDenied = {
  code: 105005,
  message: 'Access denied. The app or the access token lacks the required access scope; you should apply auth pkg for this api',
  request_id: expect.any(String),
};

function cipherOf(index: number): string {
  return sim.control.builtInSellers.crossBorder.shops[index]?.cipher ?? '';
}

describe('shop_cipher rules', () => {
  it('answers 106013 when a shop-scoped endpoint gets no shop_cipher', async () => {
    const { body } = await signedCall(sim.url, clock, { path: '/order/202309/orders', query: { ids: '1' }, accessToken: crossBorder.access_token });
    expect(body.code).toBe(106013);
  });

  it("answers 101000 for a cipher of another seller's shop", async () => {
    const otherCipher = sim.control.builtInSellers.local.shops[0]?.cipher ?? '';
    const { body } = await signedCall(sim.url, clock, {
      path: '/product/202309/products/search', query: { shop_cipher: otherCipher }, body: '{}', accessToken: crossBorder.access_token,
    });
    expect(body.code).toBe(101000);
  });

  it('answers 36009004 "Unexpected identifier" when a cipher is sent to /authorization/202309/shops', async () => {
    const { body } = await signedCall(sim.url, clock, {
      path: '/authorization/202309/shops', query: { shop_cipher: cipherOf(0) }, accessToken: crossBorder.access_token,
    });
    expect(body).toMatchObject({ code: 36009004, message: 'Unexpected identifier. The shop_cipher query parameter is not required' });
  });

  it('selects the shop by cipher: an order found by search reads back by id, a product by path', async () => {
    const search = await signedCall(sim.url, clock, {
      path: '/order/202309/orders/search', query: { shop_cipher: cipherOf(1) }, body: '{}', accessToken: crossBorder.access_token,
    });
    const orderId = (search.body.data as { orders: { id: string }[] }).orders[0]?.id ?? '';
    const detail = await signedCall(sim.url, clock, {
      path: '/order/202309/orders', query: { shop_cipher: cipherOf(1), ids: orderId }, accessToken: crossBorder.access_token,
    });
    expect(detail.body.data).toMatchObject({ orders: [{ id: orderId, payment: { currency: 'EUR' } }] });

    const products = await signedCall(sim.url, clock, {
      path: '/product/202309/products/search', query: { shop_cipher: cipherOf(1), page_size: '20' }, body: '{}', accessToken: crossBorder.access_token,
    });
    const productId = (products.body.data as { products: { id: string }[] }).products[0]?.id ?? '';
    const product = await signedCall(sim.url, clock, {
      path: `/product/202309/products/${productId}`, query: { shop_cipher: cipherOf(1) }, accessToken: crossBorder.access_token,
    });
    expect(product.body).toMatchObject({ code: 0, data: { id: productId } });
    expect(sim.control.counters().apiCalls.byPath).toMatchObject({ '/product/202309/products/{product_id}': 1 });
  });
});

describe('required scopes (105005)', () => {
  it('answers HTTP 401 + 105005 on an endpoint whose scope the app has not enabled, and counts it', async () => {
    const { status, body } = await signedCall(sim.url, clock, {
      path: '/finance/202309/statements', query: { shop_cipher: cipherOf(0) }, accessToken: crossBorder.access_token,
    });
    expect(status).toBe(401);
    expect(body).toStrictEqual(scopeDenied);
    expect(sim.control.counters().scopeDenied).toBe(1);
  });

  it('answers 105005 when the seller unticked the scope, though the app has it', async () => {
    const partial = await authorize(sim, sim.control.builtInSellers.local.openId, ['seller.authorization.info']);
    const { body } = await signedCall(sim.url, clock, { path: '/seller/202309/shops', accessToken: partial.access_token });
    expect(body).toStrictEqual(scopeDenied);
  });

  it('answers 105005 on a forced path even with the scope granted', async () => {
    sim.control.forceScopeDenied('/authorization/202309/shops');
    const { body } = await signedCall(sim.url, clock, { path: '/authorization/202309/shops', accessToken: crossBorder.access_token });
    expect(body).toStrictEqual(scopeDenied);
  });
});

describe('access tokens', () => {
  it('answers 36009004 without x-tts-access-token and 105001 for an unknown one', async () => {
    expect((await signedCall(sim.url, clock, { path: '/seller/202309/shops' })).body.code).toBe(36009004);
    expect((await signedCall(sim.url, clock, { path: '/seller/202309/shops', accessToken: 'ROW_nope' })).body).toMatchObject({
      code: 105001, message: 'access token is invalid',
    });
  });

  it('answers 105002 once the access token has expired', async () => {
    const seller = sim.control.addSeller({ name: 'Expiring Seller' });
    const tokens = await authorize(sim, seller.openId);
    clock.advance(7 * 86_400);
    const { status, body } = await signedCall(sim.url, clock, { path: '/seller/202309/shops', accessToken: tokens.access_token });
    expect(status).toBe(401);
    expect(body).toMatchObject({ code: 105002, message: 'Expired credentials. The access_token or x-tts-access-token header has expired.' });
  });

  it('answers 105001 "deauthorized" after the seller revoked the app', async () => {
    const seller = sim.control.addSeller({ name: 'Leaving Seller', shops: [{ region: 'GB' }, { region: 'FR' }] });
    expect(seller.sellerType).toBe('CROSS_BORDER');
    const tokens = await authorize(sim, seller.openId);
    expect(sim.control.revokeSeller(seller.openId)).toBe(1);
    const { body } = await signedCall(sim.url, clock, { path: '/seller/202309/shops', accessToken: tokens.access_token });
    expect(body).toMatchObject({ code: 105001, message: 'access token is invalid; detail: your token has been deauthorized' });
  });
});

describe('paths', () => {
  it('answers 36009009 for an unknown path', async () => {
    const { status, body } = await signedCall(sim.url, clock, { path: '/order/202309/nothing', accessToken: crossBorder.access_token });
    expect(status).toBe(404);
    expect(body.code).toBe(36009009);
  });
});
