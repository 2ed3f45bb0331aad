import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceSign, referenceStringToSign } from '../../src/simulator/reference-signature.js';
import { sign } from '../../src/tiktok/sign.js';

describe('referenceSign: public vectors (tiktok-protocol.md §4.4)', () => {
  it('matches the official worked example (D-SIGN)', () => {
    const input = { appSecret: 'e59af819cc', path: '/authorization/202309/shops', query: { timestamp: '1623812664', app_key: '29a39d' } };
    expect(referenceStringToSign(input).toString('utf8')).toBe('e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc');
    expect(referenceSign(input)).toBe('b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8');
  });

  it("matches EcomPHP's unit test vector", () => {
    expect(referenceSign({ appSecret: 'app_secret', path: '/test-api', query: { foo: 'bar' } })).toBe(
      'd3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f',
    );
  });

  it('ignores sign and access_token, and the body of multipart requests', () => {
    const base = { appSecret: 'e59af819cc', path: '/authorization/202309/shops', query: { app_key: '29a39d', timestamp: '1623812664' } };
    const expected = 'b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8';
    expect(referenceSign({ ...base, query: { ...base.query, sign: 'x', access_token: 'y' } })).toBe(expected);
    expect(referenceSign({ ...base, body: '--b\r\n...', contentType: 'Multipart/Form-Data; boundary=b' })).toBe(expected);
    expect(referenceSign({ ...base, body: '{}', contentType: 'application/json' })).not.toBe(expected);
  });

  it('signs decoded values, byte-sorted names and the raw body, wrapped in the secret', () => {
    const input = {
      appSecret: 's',
      path: '/p',
      query: { é: '1', b: 'Café 50%/off', B: '+', a_: ' ' },
      body: Buffer.from('{ "x": "ü" }', 'utf8'),
      contentType: 'application/json',
    };
    const text = 's/pB+a_ bCafé 50%/offé1{ "x": "ü" }s';
    expect(referenceStringToSign(input).toString('utf8')).toBe(text);
    expect(referenceSign(input)).toBe(createHmac('sha256', 's').update(text, 'utf8').digest('hex'));
  });
});

const special = fc.constantFrom('%', '/', '+', ' ', '%20', '%2B', '&', '=', '?', '#', 'é', 'ü', '日本', '😀', '\u00a0', '"', '\\', '{}');
const text = fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 }), special), { maxLength: 5 }).map((parts) => parts.join(''));
const name = fc.oneof(fc.constantFrom('app_key', 'timestamp', 'shop_cipher', 'version', 'page_size', 'sign', 'access_token', 'a', 'B', 'Z_', 'é'), text.filter((value) => value !== '' && value !== '__proto__'));
const query = fc.uniqueArray(fc.tuple(name, text), { selector: ([key]) => key, maxLength: 7 }).map((entries) => Object.fromEntries(entries));
const body = fc.oneof(
  fc.constant(undefined),
  fc.constant(''),
  fc.constant('{}'),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value, null, 2)),
  text,
);
const contentType = fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'multipart/form-data; boundary=----x', 'multipart/form-data');
const path = fc.oneof(
  fc.constantFrom('/authorization/202309/shops', '/order/202309/orders/search', '/product/202309/images/upload', '/test-api'),
  fc.array(text, { minLength: 1, maxLength: 3 }).map((segments) => `/${segments.join('/')}`),
);
const secret = fc.oneof(fc.constantFrom('e59af819cc', 'sim-app-secret'), text.filter((value) => value !== ''));

describe('referenceSign agrees with the service signer (src/tiktok/sign.ts)', () => {
  it('on random paths, queries, bodies and content types', () => {
    fc.assert(
      fc.property(secret, path, query, body, contentType, (appSecret, p, q, b, ct) => {
        expect(sign({ appSecret, path: p, query: q, body: b, contentType: ct })).toBe(referenceSign({ appSecret, path: p, query: q, body: b, contentType: ct }));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('simulator independence', () => {
  it('no simulator source imports the service signer', () => {
    const dir = fileURLToPath(new URL('../../src/simulator/', import.meta.url));
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((entry) => entry.endsWith('.ts'))) {
      expect(readFileSync(`${dir}${file}`, 'utf8'), file).not.toMatch(/tiktok\/(sign|signed-request|index)\.js|from '\.\.\/tiktok\/?'/);
    }
  });
});
