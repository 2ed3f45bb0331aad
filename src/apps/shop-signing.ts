import { ValidationFailed } from '../shared/errors.js';
import { missingScopes, takesShopCipher, type ApiRequest, type RequiredScopes, type ScopeIndex } from '../tiktok/index.js';

/**
 * The scopes a call lacks by the scope table, counted only on rows TikTok documents for that exact API
 * version: an inferred row (an older version with the current version's scopes) never refuses a call.
 */
export function refusable(required: RequiredScopes | undefined, granted: readonly string[] | null): string[] {
  // Unknown scopes (null) never refuse: TikTok decides (#11 item 5).
  return required?.documented && granted !== null ? missingScopes(required.scopeKeys, granted) : [];
}

/**
 * The token, the caller's query without `shop_cipher`, and the shop's cipher where TikTok's rules say
 * the path takes one ({@link takesShopCipher}). A `shop_cipher` in the caller's query overrides the
 * rule: the shop's own cipher is sent, an empty value sends none, and any other cipher is refused
 * (it would act on another shop than the one the API key was allowed).
 */
export function signingFor(
  request: { method: string; path: string; query?: ApiRequest['query'] },
  found: { accessToken: string; shopCipher: string },
  scopes: Pick<ScopeIndex, 'requiredScopesFor'>,
): Pick<ApiRequest, 'accessToken' | 'shopCipher' | 'query'> {
  const { shop_cipher: explicit, ...query } = request.query ?? {};
  const withQuery = request.query === undefined ? {} : { query };
  if (!(request.query && 'shop_cipher' in request.query)) {
    return { accessToken: found.accessToken, ...withQuery, ...(takesShopCipher(request.method, request.path, scopes) ? { shopCipher: found.shopCipher } : {}) };
  }
  const value = explicit === undefined || explicit === null ? '' : Array.isArray(explicit) ? explicit.join(',') : String(explicit);
  if (value === '') return { accessToken: found.accessToken, ...withQuery };
  if (value !== found.shopCipher) {
    throw new ValidationFailed("query.shop_cipher is not this shop's cipher.", [{ path: 'query.shop_cipher', message: "must be this shop's cipher, or empty to send none" }], {
      hint: "Leave shop_cipher out (the service adds the shop's cipher where TikTok's rules need it), pass the shop's own cipher to force it, or pass shop_cipher= to send none. For another shop, use that shop's id in the URL.",
    });
  }
  return { accessToken: found.accessToken, ...withQuery, shopCipher: value };
}
