import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareSignedRequest } from '../../src/tiktok/signed-request.js';
import { sign } from '../../src/tiktok/sign.js';

const config = { apiBaseUrl: 'https://open-api.tiktokglobalshop.com', appKey: 'key', appSecret: 'secret' };
const reserved = new Set(['app_key', 'timestamp', 'sign', 'access_token', 'shop_cipher']);

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const queryValue = fc.oneof(text, fc.integer(), fc.boolean(), fc.array(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 5 }), { maxLength: 3 }));
const query = fc.dictionary(text.filter((name) => !reserved.has(name)), queryValue, { maxKeys: 6 });
const body = fc.option(fc.oneof(fc.jsonValue().filter((value) => typeof value !== 'string'), text), { nil: undefined });
const path = fc.constantFrom('/authorization/202309/shops', '/order/202309/orders/search', '/product/202309/products/123');

describe('prepareSignedRequest (property)', () => {
  it('produces a URL and body from which the same sign is recomputed', () => {
    fc.assert(
      fc.property(path, query, body, fc.option(fc.string({ unit: 'grapheme-ascii', minLength: 1 }), { nil: undefined }), (p, q, b, cipher) => {
        const prepared = prepareSignedRequest(config, { method: 'POST', path: p, query: q, body: b as never, accessToken: 't', shopCipher: cipher }, new Date(1_700_000_000_000));
        const url = new URL(prepared.url);
        const reparsed = Object.fromEntries(url.searchParams);

        expect(url.search).not.toMatch(/\+/); // spaces are %20, pluses %2B
        expect(reparsed).toEqual({ ...prepared.query });
        expect(prepared.body).toBe(b === undefined || b === null ? undefined : typeof b === 'string' ? b : JSON.stringify(b));
        const recomputed = sign({ appSecret: config.appSecret, path: url.pathname, query: reparsed, body: prepared.body, contentType: prepared.headers['content-type'] });
        expect(recomputed).toBe(reparsed.sign);
      }),
      { numRuns: 300 },
    );
  });
});
