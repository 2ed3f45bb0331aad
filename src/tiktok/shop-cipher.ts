import type { ScopeIndex } from './scopes.js';

/**
 * Paths that never take `shop_cipher`, in any API version (EcomPHP tiktokshop-php `src/Client.php`
 * `modifyRequestBeforeSend`): authorization and seller APIs, product compliance, global products and
 * product uploads; `POST …/brands` is matched by method below. TikTok answers 36009004 "Unexpected
 * identifier" when one of them gets a cipher.
 */
const neverTakesCipher = /^\/(?:(?:authorization|seller)\/\d{6}\/|product\/\d{6}\/(?:compliance|global_products|files\/upload|images\/upload)(?:\/|$))/;
const brandsPath = /^\/product\/\d{6}\/brands(?:\/|$)/;

/**
 * Whether a call to `path` carries the shop's `shop_cipher` by default: not for the paths TikTok's
 * rules exclude (above, for every version), not where the scope table documents the endpoint as
 * taking none, and yes everywhere else (shop-scoped APIs need it, 106013 otherwise).
 *
 * @example
 * takesShopCipher('GET', '/authorization/202501/shops', scopes) // false, whatever the version
 * takesShopCipher('POST', '/product/202309/images/upload', scopes) // false
 * takesShopCipher('POST', '/order/202507/orders/search', scopes) // true
 */
export function takesShopCipher(method: string, path: string, scopes: Pick<ScopeIndex, 'requiredScopesFor'>): boolean {
  const upper = method.toUpperCase();
  if (neverTakesCipher.test(path) || (upper === 'POST' && brandsPath.test(path))) return false;
  const documented = scopes.requiredScopesFor(upper, path);
  return !(documented && documented.documented && documented.requiresShopCipher === false);
}
