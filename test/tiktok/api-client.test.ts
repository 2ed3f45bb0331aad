import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScopeMissing, ValidationFailed } from '../../src/shared/errors.js';
import { createApiClient, type ApiClient } from '../../src/tiktok/api-client.js';
import {
  TikTokBadResponse,
  TikTokGrantDead,
  TikTokRateLimited,
  TikTokRequestRejected,
  TikTokTokenExpired,
  TikTokUnavailable,
} from '../../src/tiktok/errors.js';
import { sign } from '../../src/tiktok/sign.js';
import { fakeTime, mockTikTok, queryOf } from './support/mock-tiktok.js';
import { loadScopeIndex } from '../../src/tiktok/scopes.js';

const scopes = loadScopeIndex();

const apiBaseUrl = 'https://open-api.tiktokglobalshop.com';
const appKey = '29a39d';
const appSecret = 'e59af819cc';
const accessToken = 'TTP_access_token_value';
const shopCipher = 'GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3';

const ok = (data: unknown = {}) => ({ code: 0, message: 'success', request_id: 'req-ok', data });
const fail = (code: number, message: string) => ({ code, message, request_id: 'req-fail', data: null });

describe('createApiClient', () => {
  let mock: ReturnType<typeof mockTikTok>;
  let time: ReturnType<typeof fakeTime>;
  let api: ApiClient;

  beforeEach(() => {
    mock = mockTikTok();
    time = fakeTime(1623812664_000);
    api = createApiClient({ scopes,
      fetch: mock.fetch,
      apiBaseUrl,
      appKey,
      appSecret,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
      baseDelayMs: 100,
      timeoutMs: 100,
    });
  });
  afterEach(async () => {
    mock.agent.assertNoPendingInterceptors();
    await mock.agent.close();
  });

  const pool = () => mock.agent.get(apiBaseUrl);

  describe('prepare', () => {
    describe('with the official worked example', () => {
      it('signs GET /authorization/202309/shops exactly as documented', () => {
        const prepared = api.prepare({ method: 'get', path: '/authorization/202309/shops', accessToken });

        expect(prepared).toStrictEqual({
          method: 'GET',
          url: `${apiBaseUrl}/authorization/202309/shops?app_key=29a39d&timestamp=1623812664&sign=b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8`,
          query: { app_key: '29a39d', timestamp: '1623812664', sign: 'b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8' },
          // content-type on every call, GETs included (issue #11 item 3); not signed, so the documented sign holds.
          headers: { 'x-tts-access-token': accessToken, 'content-type': 'application/json' },
          body: undefined,
        });
      });
    });

    describe('with a JSON body, a shop cipher and mixed query values', () => {
      it('stringifies the body once, signs that string, and encodes spaces as %20 and + as %2B', () => {
        const body = { note: 'Café 50%/off', tags: ['a+b'] };
        const prepared = api.prepare({
          method: 'POST',
          path: '/product/202309/products/search',
          query: { page_size: 20, ids: ['1', '2'], q: 'a b+c', empty: '', gone: undefined, nothing: null },
          body,
          accessToken,
          shopCipher,
        });

        expect(prepared.body).toBe(JSON.stringify(body));
        expect(prepared.headers).toStrictEqual({ 'x-tts-access-token': accessToken, 'content-type': 'application/json' });
        expect(prepared.query).toMatchObject({ page_size: '20', ids: '1,2', q: 'a b+c', shop_cipher: shopCipher, timestamp: '1623812664' });
        expect(prepared.query).not.toHaveProperty('empty');
        expect(prepared.url).toContain('q=a%20b%2Bc');
        expect(prepared.url).toContain('ids=1%2C2');
        expect(prepared.query.sign).toBe(
          sign({ appSecret, path: '/product/202309/products/search', query: prepared.query, body: prepared.body, contentType: 'application/json' }),
        );
      });
    });

    describe('with a string body', () => {
      it('sends and signs it byte for byte', () => {
        const raw = '{    "address": "x" }';
        const prepared = api.prepare({ method: 'PUT', path: '/event/202309/webhooks', body: raw, accessToken, shopCipher });

        expect(prepared.body).toBe(raw);
        expect(prepared.query.sign).toBe(sign({ appSecret, path: '/event/202309/webhooks', query: prepared.query, body: raw }));
      });
    });

    describe('with a reserved query name', () => {
      it('throws ValidationFailed', () => {
        expect(() => api.prepare({ method: 'GET', path: '/x/202309/y', query: { access_token: 't' }, accessToken })).toThrow(
          new ValidationFailed('The query must not set access_token; the client adds them.', [{ path: 'query.access_token', message: 'reserved' }]),
        );
      });
    });

    describe('with a path that is not a TikTok path', () => {
      it('throws ValidationFailed', () => {
        expect(() => api.prepare({ method: 'GET', path: 'https://evil.example/x', accessToken })).toThrow(ValidationFailed);
        expect(() => api.prepare({ method: 'GET', path: '/order/../admin', accessToken })).toThrow(
          'The TikTok API path must look like /category/version/resource.',
        );
      });
    });

    describe('with a lone surrogate in a query value', () => {
      it('throws ValidationFailed instead of a URIError', () => {
        expect(() => api.prepare({ method: 'GET', path: '/x/202309/y', query: { q: '\uD800' }, accessToken })).toThrow(
          new ValidationFailed('A query value is not valid Unicode text (it has a lone surrogate).'),
        );
      });
    });
  });

  describe('call', () => {
    describe('when TikTok answers code 0', () => {
      it('returns status, envelope, the body exactly as sent, request id and headers', async () => {
        // An id past 2^53: the envelope rounds it, the text keeps every digit.
        const sent = '{"code":0,"message":"success","request_id":"req-ok","data":{"orders":[],"next_id":7000000000000000123}}';
        pool()
          .intercept({ path: /^\/order\/202309\/orders\/search\?/, method: 'POST' })
          .reply(200, sent, { headers: { 'content-type': 'application/json', 'x-tt-logid': 'log1' } });

        const response = await api.call({ method: 'POST', path: '/order/202309/orders/search', body: { page_size: 1 }, accessToken, shopCipher });

        expect(response).toStrictEqual({
          status: 200,
          body: JSON.parse(sent),
          text: sent,
          requestId: 'req-ok',
          headers: { 'content-type': 'application/json', 'x-tt-logid': 'log1' },
        });
        expect(mock.requests[0]!.body).toBe('{"page_size":1}');
        expect(mock.requests[0]!.headers['x-tts-access-token']).toBe(accessToken);
      });
    });

    describe('when TikTok answers 429 and then 200 to a POST', () => {
      it('retries with a fresh timestamp and a new signature', async () => {
        pool().intercept({ path: /^\/order\/202309\/orders\/search\?/, method: 'POST' }).reply(429, fail(36009002, 'Too many requests'));
        pool().intercept({ path: /^\/order\/202309\/orders\/search\?/, method: 'POST' }).reply(200, ok());

        const slow = createApiClient({ scopes, fetch: mock.fetch, apiBaseUrl, appKey, appSecret, clock: time.clock, sleep: time.sleep, random: () => 0.5, baseDelayMs: 4000 });

        await slow.call({ method: 'POST', path: '/order/202309/orders/search', body: {}, accessToken, shopCipher });

        expect(mock.requests).toHaveLength(2);
        expect(time.sleeps).toStrictEqual([3000]);
        const [first, second] = mock.requests.map((request) => queryOf(request.url));
        expect(Number(second!.timestamp) - Number(first!.timestamp)).toBe(3);
        expect(second!.sign).not.toBe(first!.sign);
        for (const request of mock.requests) {
          const query = queryOf(request.url);
          expect(query.sign).toBe(sign({ appSecret, path: '/order/202309/orders/search', query, body: request.body }));
        }
      });
    });

    describe('when TikTok keeps answering 429 to a POST', () => {
      it('gives up after maxAttempts with TikTokRateLimited', async () => {
        for (let i = 0; i < 3; i++) {
          pool().intercept({ path: /^\/order\/202309\/orders\/search\?/, method: 'POST' }).reply(429, fail(36009002, 'Too many requests'));
        }

        const error = await api.call({ method: 'POST', path: '/order/202309/orders/search', accessToken, shopCipher }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TikTokRateLimited);
        expect(error).toMatchObject({
          code: 'tiktok_rate_limited',
          message: 'TikTok rate-limited POST /order/202309/orders/search (36009002 "Too many requests").',
        });
        expect(mock.requests).toHaveLength(3);
      });
    });

    describe('when TikTok answers 36009002 inside a 200 to a POST', () => {
      it('retries it like a 429', async () => {
        pool().intercept({ path: /^\/order\/202309\/orders\/search\?/, method: 'POST' }).reply(200, fail(36009002, 'Too many requests'));
        pool().intercept({ path: /^\/order\/202309\/orders\/search\?/, method: 'POST' }).reply(200, ok());

        const response = await api.call({ method: 'POST', path: '/order/202309/orders/search', accessToken, shopCipher });

        expect(response.body.code).toBe(0);
        expect(mock.requests).toHaveLength(2);
      });
    });

    describe('when TikTok answers 503 to a POST', () => {
      it('does not retry and throws TikTokUnavailable', async () => {
        pool().intercept({ path: /^\/order\/202309\/orders\/search\?/, method: 'POST' }).reply(503, 'Service Unavailable');

        const error = await api.call({ method: 'POST', path: '/order/202309/orders/search', body: {}, accessToken, shopCipher }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TikTokUnavailable);
        expect(error).toMatchObject({
          code: 'tiktok_unavailable',
          message: 'TikTok is temporarily unavailable for POST /order/202309/orders/search (HTTP 503).',
          httpStatus: 503,
        });
        expect(mock.requests).toHaveLength(1);
        expect(time.sleeps).toStrictEqual([]);
      });
    });

    describe('when TikTok answers 36009003 to a POST', () => {
      it('does not retry', async () => {
        pool().intercept({ path: /^\/order\/202309\/orders\/search\?/, method: 'POST' }).reply(200, fail(36009003, 'Internal error'));

        await expect(api.call({ method: 'POST', path: '/order/202309/orders/search', accessToken, shopCipher })).rejects.toMatchObject({
          name: 'TikTokUnavailable',
          message: 'TikTok is temporarily unavailable for POST /order/202309/orders/search (36009003 "Internal error").',
        });
        expect(mock.requests).toHaveLength(1);
      });
    });

    describe('when a GET times out once', () => {
      it('retries and returns the second answer', async () => {
        pool().intercept({ path: /^\/order\/202309\/orders\?/, method: 'GET' }).reply(200, ok()).delay(1000);
        pool().intercept({ path: /^\/order\/202309\/orders\?/, method: 'GET' }).reply(200, ok({ orders: [1] }));

        const response = await api.call({ method: 'GET', path: '/order/202309/orders', query: { ids: ['1'] }, accessToken, shopCipher });

        expect(response.body.data).toStrictEqual({ orders: [1] });
        expect(mock.requests).toHaveLength(2);
      });
    });

    describe('when a GET keeps failing with 5xx', () => {
      it('stops after maxAttempts with growing jittered delays', async () => {
        for (let i = 0; i < 3; i++) pool().intercept({ path: /^\/authorization\/202309\/shops\?/, method: 'GET' }).reply(502, 'bad gateway');

        const error = await api.call({ method: 'GET', path: '/authorization/202309/shops', accessToken }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TikTokUnavailable);
        expect((error as TikTokUnavailable).message).toBe('TikTok is temporarily unavailable for GET /authorization/202309/shops (HTTP 502).');
        expect(mock.requests).toHaveLength(3);
        expect(time.sleeps).toStrictEqual([75, 150]);
      });
    });

    describe('when TikTok answers 503 with a code the catalog does not know to a GET', () => {
      it('treats it as unavailable and retries', async () => {
        pool().intercept({ path: /^\/order\/202309\/orders\?/, method: 'GET' }).reply(503, fail(99999999, 'overloaded'));
        pool().intercept({ path: /^\/order\/202309\/orders\?/, method: 'GET' }).reply(200, ok());

        const response = await api.call({ method: 'GET', path: '/order/202309/orders', accessToken, shopCipher });

        expect(response.body.code).toBe(0);
        expect(mock.requests).toHaveLength(2);
      });
    });

    describe('when TikTok answers 105005', () => {
      it('throws ScopeMissing with the scope map keys, not a token error', async () => {
        pool()
          .intercept({ path: /^\/finance\/202309\/statements\?/, method: 'GET' })
          .reply(200, fail(105005, 'Access denied. you should apply auth pkg for this api'));

        const error = await api.call({ method: 'GET', path: '/finance/202309/statements', accessToken, shopCipher }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(ScopeMissing);
        expect(error).toMatchObject({
          code: 'scope_missing',
          apiPath: '/finance/202309/statements',
          scopeKeys: ['seller.finance.info'],
          tiktok: { code: 105005, message: 'Access denied. you should apply auth pkg for this api', requestId: 'req-fail' },
          message:
            'TikTok denied GET /finance/202309/statements for lack of an API scope (105005 "Access denied. you should apply auth pkg for this api"). ' +
            'It needs one of: Finance Information. The app developer must enable the API package (scope) in Partner Center > Manage API; ' +
            'then the merchant re-authorizes so the new scope is granted.',
        });
        expect(mock.requests).toHaveLength(1);
      });
    });

    describe('when TikTok answers 105002', () => {
      it('throws TikTokTokenExpired', async () => {
        pool().intercept({ path: /^\/order\/202309\/orders\?/, method: 'GET' }).reply(401, fail(105002, 'Expired credentials.'));

        const error = await api.call({ method: 'GET', path: '/order/202309/orders', accessToken, shopCipher }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TikTokTokenExpired);
        expect(error).toMatchObject({ code: 'tiktok_token_expired', httpStatus: 401, tiktok: { code: 105002 } });
      });
    });

    describe('when TikTok answers 105001 saying the token was deauthorized', () => {
      it('throws TikTokGrantDead', async () => {
        pool()
          .intercept({ path: /^\/order\/202309\/orders\?/, method: 'GET' })
          .reply(200, fail(105001, 'access token is invalid; detail: your token has been deauthorized'));

        await expect(api.call({ method: 'GET', path: '/order/202309/orders', accessToken, shopCipher })).rejects.toThrow(TikTokGrantDead);
      });
    });

    describe('when TikTok answers 106001 with HTTP 401', () => {
      it('reads the JSON envelope and throws TikTokRequestRejected without retrying', async () => {
        pool()
          .intercept({ path: /^\/authorization\/202309\/shops\?/, method: 'GET' })
          .reply(401, fail(106001, "Invalid credentials. The 'sign' query parameter is invalid."));

        const error = await api.call({ method: 'GET', path: '/authorization/202309/shops', accessToken }).catch((e: unknown) => e);

        expect(error).toBeInstanceOf(TikTokRequestRejected);
        expect(error).toMatchObject({
          code: 'tiktok_request_rejected',
          message: `TikTok rejected GET /authorization/202309/shops (106001 "Invalid credentials. The 'sign' query parameter is invalid.").`,
          httpStatus: 401,
          tiktok: { code: 106001, requestId: 'req-fail' },
        });
        expect(mock.requests).toHaveLength(1);
        expect((error as TikTokRequestRejected).response?.status).toBe(401);
      });
    });

    describe('when TikTok answers a 200 that is not JSON', () => {
      it('throws TikTokBadResponse', async () => {
        pool().intercept({ path: /^\/authorization\/202309\/shops\?/, method: 'GET' }).reply(200, 'not json');

        await expect(api.call({ method: 'GET', path: '/authorization/202309/shops', accessToken })).rejects.toThrow(TikTokBadResponse);
      });
    });
  });

  describe('getAuthorizedShops', () => {
    describe('when TikTok lists two shops', () => {
      it('calls without shop_cipher and maps each shop', async () => {
        pool()
          .intercept({ path: /^\/authorization\/202309\/shops\?/, method: 'GET' })
          .reply(
            200,
            ok({
              shops: [
                { id: '7000714532876273420', name: 'Maomao beauty shop', region: 'GB', seller_type: 'CROSS_BORDER', cipher: shopCipher, code: 'CNGBCBA4LLU8' },
                { id: '7000714532876273421', name: 'Second', region: 'FR', seller_type: 'CROSS_BORDER', cipher: 'GCP_2', code: 'CNFR2' },
              ],
            }),
          );

        const shops = await api.getAuthorizedShops(accessToken);

        expect(shops).toStrictEqual([
          { id: '7000714532876273420', name: 'Maomao beauty shop', region: 'GB', sellerType: 'CROSS_BORDER', cipher: shopCipher, code: 'CNGBCBA4LLU8' },
          { id: '7000714532876273421', name: 'Second', region: 'FR', sellerType: 'CROSS_BORDER', cipher: 'GCP_2', code: 'CNFR2' },
        ]);
        expect(Object.keys(queryOf(mock.requests[0]!.url))).toStrictEqual(['app_key', 'timestamp', 'sign']);
      });
    });

    describe('when a shop has no cipher', () => {
      it('throws TikTokBadResponse', async () => {
        pool()
          .intercept({ path: /^\/authorization\/202309\/shops\?/, method: 'GET' })
          .reply(200, ok({ shops: [{ id: '1', name: 'x', region: 'GB', seller_type: 'LOCAL', code: 'C' }] }));

        await expect(api.getAuthorizedShops(accessToken)).rejects.toMatchObject({
          code: 'tiktok_bad_response',
          message: "TikTok's answer to GET /authorization/202309/shops is unusable: missing or invalid shops.0.cipher.",
        });
      });
    });
  });

  describe('outbound limiter', () => {
    describe('with perShopRequestsPerSecond 2', () => {
      it('makes the third call to the same shop and API wait, but not a call to another shop', async () => {
        const limited = createApiClient({ scopes, fetch: mock.fetch, apiBaseUrl, appKey, appSecret, clock: time.clock, sleep: time.sleep, perShopRequestsPerSecond: 2 });
        for (let i = 0; i < 4; i++) pool().intercept({ path: /^\/order\/202407\/orders\/\d+\/price_detail\?/, method: 'GET' }).reply(200, ok());
        // Different order ids, one API: the limiter keys on the documented template /order/202407/orders/{order_id}/price_detail.
        const path = (id: number) => `/order/202407/orders/${id}/price_detail`;

        await limited.call({ method: 'GET', path: path(1), accessToken, shopCipher: 'A' });
        await limited.call({ method: 'GET', path: path(2), accessToken, shopCipher: 'A' });
        await limited.call({ method: 'GET', path: path(3), accessToken, shopCipher: 'B' });
        expect(time.sleeps).toStrictEqual([]);
        await limited.call({ method: 'GET', path: path(4), accessToken, shopCipher: 'A' });

        expect(time.sleeps).toStrictEqual([1000]);
      });
    });
  });
});
