import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, parseAuthorizeCallback } from '../../src/tiktok/authorize-url.js';

describe('buildAuthorizeUrl', () => {
  it('adds service_id and state, encoding spaces as %20', () => {
    expect(buildAuthorizeUrl({ authorizeUrl: 'https://services.tiktokshop.com/open/authorize', serviceId: '7212', state: 'a b+c' })).toBe(
      'https://services.tiktokshop.com/open/authorize?service_id=7212&state=a%20b%2Bc',
    );
  });
  it('keeps an existing query and replaces any service_id or state on it', () => {
    expect(
      buildAuthorizeUrl({ authorizeUrl: 'https://services.tiktokshops.us/open/authorize?market=us&state=old&service_id=1', serviceId: '7212', state: 's' }),
    ).toBe('https://services.tiktokshops.us/open/authorize?market=us&service_id=7212&state=s');
  });
  it('leaves state out when none is given', () => {
    expect(buildAuthorizeUrl({ authorizeUrl: 'https://services.tiktokshop.com/open/authorize', serviceId: '7212' })).toBe(
      'https://services.tiktokshop.com/open/authorize?service_id=7212',
    );
  });
});

describe('parseAuthorizeCallback', () => {
  describe('with a code and extra informational parameters', () => {
    it('returns the code and the trimmed state', () => {
      expect(parseAuthorizeCallback({ app_key: '6la75j8ggs28c', code: 'ROW_abc', locale: 'en', shop_region: 'PH', state: ' s1 \n' })).toStrictEqual({
        kind: 'code',
        code: 'ROW_abc',
        state: 's1',
      });
    });
  });
  describe('with no state (App Store install)', () => {
    it('returns state undefined', () => {
      expect(parseAuthorizeCallback({ code: 'c' })).toStrictEqual({ kind: 'code', code: 'c', state: undefined });
    });
  });
  describe.each([
    [{ code: 'null', error: 'auth_denied', state: 's' }, 'auth_denied'],
    [{ code: 'null', error: 'access_denied', state: 's' }, 'access_denied'],
    [{ code: 'abc', error: 'something', state: 's' }, 'something'],
    [{ code: 'null', state: 's' }, 'missing_code'],
    [{ code: '', state: 's' }, 'missing_code'],
    [{ state: 's' }, 'missing_code'],
  ])('with %j', (query, error) => {
    it(`is a denial (${error})`, () => {
      expect(parseAuthorizeCallback(query)).toStrictEqual({ kind: 'denied', error, state: 's' });
    });
  });
  describe('with repeated parameters', () => {
    it('uses the first value', () => {
      expect(parseAuthorizeCallback({ code: ['a', 'b'], state: ['s', 't'] })).toStrictEqual({ kind: 'code', code: 'a', state: 's' });
    });
  });
});
