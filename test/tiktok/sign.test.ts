import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, stringToSign } from '../../src/tiktok/sign.js';

describe('sign', () => {
  describe('with the official worked example (Partner Center "Sign your API request")', () => {
    const input = {
      appSecret: 'e59af819cc',
      path: '/authorization/202309/shops',
      query: { app_key: '29a39d', timestamp: '1623812664' },
    };
    it('builds the documented string to sign', () => {
      expect(stringToSign(input)).toBe(
        'e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc',
      );
    });
    it('produces the documented signature', () => {
      expect(sign(input)).toBe('b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8');
    });
  });

  it("matches EcomPHP's unit-test vector", () => {
    expect(sign({ appSecret: 'app_secret', path: '/test-api', query: { foo: 'bar' } })).toBe(
      'd3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f',
    );
  });
});

describe('sign with cases of our own', () => {
  const appSecret = 'secret';
  const hmac = (message: string) => createHmac('sha256', appSecret).update(message, 'utf8').digest('hex');

  describe('with Unicode, %, /, + and spaces in a value', () => {
    const input = { appSecret, path: '/p/202309/x', query: { q: 'Café 50%/off a+b', app_key: 'k' } };
    it('signs the decoded characters, not their percent-encoding', () => {
      expect(stringToSign(input)).toBe('secret/p/202309/xapp_keykqCafé 50%/off a+bsecret');
    });
    it('hashes the UTF-8 bytes of that string', () => {
      expect(sign(input)).toBe(hmac('secret/p/202309/xapp_keykqCafé 50%/off a+bsecret'));
    });
  });

  describe('with names whose byte order differs from other orders', () => {
    it("orders 'B' < '_' < 'a' < 'é' by bytes", () => {
      expect(stringToSign({ appSecret, path: '/p', query: { é: '4', a: '3', _: '2', B: '1' } })).toBe('secret/pB1_2a3é4secret');
    });
    it('orders by UTF-8 bytes, not UTF-16 code units (U+FF5E before U+1F600)', () => {
      // UTF-16 puts the emoji (0xD83D…) first; UTF-8 puts U+FF5E (0xEF…) first.
      expect(stringToSign({ appSecret, path: '/p', query: { '😀': '2', '～': '1' } })).toBe('secret/p～1😀2secret');
    });
  });

  describe('with sign and access_token in the query', () => {
    it('leaves both out', () => {
      expect(stringToSign({ appSecret, path: '/p', query: { sign: 'x', access_token: 'y', a: '1' } })).toBe('secret/pa1secret');
    });
  });

  describe('with bodies', () => {
    const base = { appSecret, path: '/p', query: { a: '1' } };
    it('appends nothing for an empty body, as for no body', () => {
      expect(stringToSign({ ...base, body: '' })).toBe(stringToSign(base));
    });
    it('appends a literal {} body, since {} is what is sent', () => {
      expect(stringToSign({ ...base, body: '{}' })).toBe('secret/pa1{}secret');
    });
    it('appends a JSON body byte for byte, spaces and escapes included', () => {
      expect(stringToSign({ ...base, body: '{ "n": "\\u00e9" }', contentType: 'application/json' })).toBe('secret/pa1{ "n": "\\u00e9" }secret');
    });
    it('leaves the body out for multipart/form-data, whatever the case of the content type', () => {
      expect(stringToSign({ ...base, body: '--boundary…', contentType: 'Multipart/Form-Data; boundary=x' })).toBe('secret/pa1secret');
    });
  });
});
