import { describe, expect, it } from 'vitest';
import { loadScopeIndex, missingScopes, scopeName } from '../../src/tiktok/scopes.js';
import { takesShopCipher } from '../../src/tiktok/shop-cipher.js';

const scopes = loadScopeIndex();
const requiredScopesFor = (method: string, path: string) => scopes.requiredScopesFor(method, path);

describe('requiredScopesFor', () => {
  describe('with a templated path', () => {
    it('matches {order_id} and returns the scope and cipher rule', () => {
      expect(requiredScopesFor('get', '/order/202407/orders/576684019603311365/price_detail')).toStrictEqual({
        pathTemplate: '/order/202407/orders/{order_id}/price_detail',
        scopeKeys: ['seller.order.info'],
        scopeNames: ['Order Information'],
        requiresShopCipher: true,
        documented: true,
      });
    });
  });

  describe('with a row inferred from a newer version (issue #11 item 5)', () => {
    it('says it is not documented, so the pre-check may not refuse on it', () => {
      expect(requiredScopesFor('GET', '/order/202309/orders')).toMatchObject({ scopeKeys: ['seller.order.info'], documented: false });
    });
  });

  describe('with an exact path', () => {
    it('finds Get Authorized Shops, which takes no cipher', () => {
      expect(requiredScopesFor('GET', '/authorization/202309/shops?x=1')).toMatchObject({
        scopeKeys: ['seller.authorization.info'],
        requiresShopCipher: false,
      });
    });
  });

  describe('with the right path but the wrong method', () => {
    it('returns undefined', () => {
      expect(requiredScopesFor('DELETE', '/authorization/202309/shops')).toBeUndefined();
    });
  });

  describe('with a template segment that would have to match a slash', () => {
    it('returns undefined', () => {
      expect(requiredScopesFor('GET', '/order/202407/orders/1/2/price_detail')).toBeUndefined();
    });
  });
});

describe('missingScopes', () => {
  it('is empty when any one of the listed scopes is granted', () => {
    expect(missingScopes(['seller.order.ext_ref.write.custom', 'seller.order.ext_ref.write'], ['seller.order.ext_ref.write'])).toStrictEqual([]);
  });
  it('names every listed scope when none is granted', () => {
    expect(missingScopes(['seller.fulfillment.basic', 'seller.logistics'], ['seller.order.info'])).toStrictEqual([
      'seller.fulfillment.basic',
      'seller.logistics',
    ]);
  });
  it('is empty when the docs list no scope', () => {
    expect(missingScopes([], [])).toStrictEqual([]);
  });
});

describe('scopeName', () => {
  it('gives the Partner Center name, or the key when unknown', () => {
    expect(scopeName('seller.finance.info')).toBe('Finance Information');
    expect(scopeName('seller.unknown')).toBe('seller.unknown');
  });
});

describe('takesShopCipher (issue #11 item 6)', () => {
  it.each([
    ['GET', '/authorization/202309/shops', false],
    ['GET', '/authorization/202601/shops', false],
    ['GET', '/seller/202507/shops', false],
    ['POST', '/product/202309/images/upload', false],
    ['POST', '/product/202601/files/upload', false],
    ['POST', '/product/202309/global_products/search', false],
    ['GET', '/product/202409/compliance/manufacturers', false],
    ['POST', '/product/202309/brands', false],
    ['GET', '/product/202309/brands', true],
    ['POST', '/order/202309/orders/search', true],
    ['GET', '/order/202601/orders', true],
    ['POST', '/fulfillment/202309/images/upload', true],
  ] as const)('%s %s → %s', (method, path, expected) => {
    expect(takesShopCipher(method, path, scopes)).toBe(expected);
  });
});
