import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { referenceSign } from '../../src/simulator/reference-signature.js';
import { appKey, appSecret, authorize, fakeClock, flipOneChar, signedCall, start, type TokenData } from './support.js';

const clock = fakeClock();
let sim: RunningSimulator;
let tokens: TokenData;
let cipher: string;
beforeAll(async () => {
  sim = await start(clock);
  tokens = await authorize(sim, sim.control.builtInSellers.crossBorder.openId);
  cipher = sim.control.builtInSellers.crossBorder.shops[0]?.cipher ?? '';
});
afterAll(() => sim.close());
beforeEach(() => sim.control.resetCounters());

const searchBody = '{"order_status": "AWAITING_SHIPMENT",  "note":"Café 50%/off"}';

describe('signed open API requests', () => {
  describe('GET /authorization/202309/shops signed with sign()', () => {
    it('answers the authorized shops with cipher, code and seller_type', async () => {
      const { status, body } = await signedCall(sim.url, clock, { path: '/authorization/202309/shops', accessToken: tokens.access_token });
      expect(status).toBe(200);
      expect(body).toStrictEqual({
        code: 0,
        message: 'Success',
        request_id: expect.any(String),
        data: {
          shops: sim.control.builtInSellers.crossBorder.shops.map((shop) => ({
            id: shop.id, name: shop.name, region: shop.region, seller_type: 'CROSS_BORDER', cipher: shop.cipher, code: shop.code,
          })),
        },
      });
      expect(sim.control.counters().apiCalls.byPath).toStrictEqual({ '/authorization/202309/shops': 1 });
    });
  });

  describe('POST /order/202309/orders/search with a JSON body signed byte for byte', () => {
    it('accepts the body exactly as sent (spaces and non-ASCII included)', async () => {
      const { status, body } = await signedCall(sim.url, clock, {
        path: '/order/202309/orders/search', query: { shop_cipher: cipher, page_size: '10' }, body: searchBody, accessToken: tokens.access_token,
      });
      expect(status).toBe(200);
      expect(body.data).toMatchObject({ total_count: 3 });
    });
  });

  describe('with a signature off by one character', () => {
    it.each([0, 63])('answers HTTP 401 + 106001 and counts it (char %i changed)', async (index) => {
      const { status, body } = await signedCall(sim.url, clock, {
        path: '/authorization/202309/shops', accessToken: tokens.access_token, tamperSign: (value) => flipOneChar(value, index),
      });
      expect(status).toBe(401);
      expect(body).toStrictEqual({
        code: 106001, message: 'Invalid credentials. The sign query parameter is invalid.', request_id: expect.any(String),
      });
      expect(sim.control.counters().badSignatures).toBe(1);
    });
  });

  describe('with a body one byte different from the signed one', () => {
    it('answers HTTP 401 + 106001 and counts it', async () => {
      const { status, body } = await signedCall(sim.url, clock, {
        path: '/order/202309/orders/search', query: { shop_cipher: cipher }, accessToken: tokens.access_token,
        body: searchBody, sentBody: searchBody.replace('  ', ' '),
      });
      expect(status).toBe(401);
      expect(body.code).toBe(106001);
      expect(sim.control.counters().badSignatures).toBe(1);
    });

    it('rejects a re-serialized body (JSON.stringify of the parsed one)', async () => {
      const { body } = await signedCall(sim.url, clock, {
        path: '/order/202309/orders/search', query: { shop_cipher: cipher }, accessToken: tokens.access_token,
        body: searchBody, sentBody: JSON.stringify(JSON.parse(searchBody)),
      });
      expect(body.code).toBe(106001);
    });
  });

  describe('without sign', () => {
    it('answers 36009004 and does not count a bad signature', async () => {
      const response = await fetch(`${sim.url}/authorization/202309/shops?app_key=sim-app-key&timestamp=${clock.seconds()}`, {
        headers: { 'x-tts-access-token': tokens.access_token },
      });
      expect(await response.json()).toMatchObject({ code: 36009004, message: expect.stringContaining('Missing signature') });
      expect(sim.control.counters().badSignatures).toBe(0);
    });
  });

  describe('with a wrong app_key', () => {
    it('answers 36009004 "Invalid app_key"', async () => {
      const { body } = await signedCall(sim.url, clock, { path: '/authorization/202309/shops', query: { app_key: 'other' }, accessToken: tokens.access_token });
      expect(body).toMatchObject({ code: 36009004, message: 'Invalid app_key. The app_key query parameter is invalid.' });
    });
  });

  describe('timestamp window [now − 5 min, now + 30 s]', () => {
    it.each([
      ['exactly 5 minutes old', -300, 0],
      ['exactly 30 seconds ahead', 30, 0],
      ['5 minutes and 1 second old', -301, 36009004],
      ['31 seconds ahead', 31, 36009004],
    ])('%s → code %i', async (_name, offset, code) => {
      const { body } = await signedCall(sim.url, clock, {
        path: '/authorization/202309/shops', accessToken: tokens.access_token, timestamp: clock.seconds() + offset,
      });
      expect(body.code).toBe(code);
      if (code !== 0) expect(body.message).toMatch(/^Invalid timestamp/);
    });
  });
});

describe('stricter than lenient servers', () => {
  const send = (search: string, init: RequestInit = {}) =>
    fetch(`${sim.url}/authorization/202309/shops?${search}`, { ...init, headers: { 'x-tts-access-token': tokens.access_token, 'content-type': 'application/json', ...init.headers } }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as { code: number; message: string } }),
    );
  const signedSearch = (note: string, encodedNote: string) => {
    const query = { app_key: appKey, timestamp: String(clock.seconds()), note };
    const sign = referenceSign({ appSecret, path: '/authorization/202309/shops', query });
    return `app_key=${appKey}&timestamp=${query.timestamp}&note=${encodedNote}&sign=${sign}`;
  };

  it('reads + in the query as a plus sign: a client that meant a space is refused (106001)', async () => {
    expect((await send(signedSearch('a b', 'a+b'))).body.code).toBe(106001);
    expect((await send(signedSearch('a+b', 'a%2Bb'))).body.code).toBe(0);
    expect((await send(signedSearch('a b', 'a%20b'))).body.code).toBe(0);
  });

  it('refuses a body that is not declared JSON with 36009022', async () => {
    const body = '{"order_status":"UNPAID"}';
    const query = { app_key: appKey, timestamp: String(clock.seconds()), shop_cipher: cipher };
    const sign = referenceSign({ appSecret, path: '/order/202309/orders/search', query, body });
    const response = await fetch(`${sim.url}/order/202309/orders/search?${new URLSearchParams({ ...query, sign })}`, {
      method: 'POST',
      headers: { 'x-tts-access-token': tokens.access_token, 'content-type': 'text/plain' },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 36009022,
      message: 'Invalid request format. The request body format must be `application/json` for structured data or `multipart/form-data` for binary files.',
    });
  });
});
