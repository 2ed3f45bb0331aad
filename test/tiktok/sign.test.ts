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
