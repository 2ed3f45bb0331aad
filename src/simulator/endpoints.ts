/** Where `shop_cipher` may appear: required (106013 if missing), forbidden (36009004 if sent). */
export type CipherRule = 'required' | 'forbidden';

export type EndpointName =
  | 'authorizedShops'
  | 'activeShops'
  | 'searchOrders'
  | 'orderDetail'
  | 'searchProducts'
  | 'productDetail'
  | 'deleteProducts'
  | 'statements'
  | 'searchGlobalProducts'
  | 'uploadImage'
  | 'uploadFile'
  | 'getShopWebhooks'
  | 'updateShopWebhook'
  | 'deleteShopWebhook';

export interface Endpoint {
  name: EndpointName;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path template exactly as in /work/shared/tiktok-scopes.json. */
  path: string;
  /** Any one of these scopes suffices (tiktok-scopes.json `scope_keys`, else `inferred_scope_keys`). */
  scopes: string[];
  cipher: CipherRule;
  /** The body format the endpoint takes: JSON (the content-type every other call must declare too), or a multipart upload. */
  body?: 'multipart';
}

export const endpoints: readonly Endpoint[] = [
  { name: 'authorizedShops', method: 'GET', path: '/authorization/202309/shops', scopes: ['seller.authorization.info'], cipher: 'forbidden' },
  { name: 'activeShops', method: 'GET', path: '/seller/202309/shops', scopes: ['seller.shop.info'], cipher: 'forbidden' },
  { name: 'searchOrders', method: 'POST', path: '/order/202309/orders/search', scopes: ['seller.order.info'], cipher: 'required' },
  { name: 'orderDetail', method: 'GET', path: '/order/202309/orders', scopes: ['seller.order.info'], cipher: 'required' },
  { name: 'searchProducts', method: 'POST', path: '/product/202309/products/search', scopes: ['seller.product.basic'], cipher: 'required' },
  { name: 'productDetail', method: 'GET', path: '/product/202309/products/{product_id}', scopes: ['seller.product.basic'], cipher: 'required' },
  { name: 'deleteProducts', method: 'DELETE', path: '/product/202309/products', scopes: ['seller.product.delete'], cipher: 'required' },
  { name: 'statements', method: 'GET', path: '/finance/202309/statements', scopes: ['seller.finance.info'], cipher: 'required' },
  // Global products are not shop-scoped: no cipher in any version (EcomPHP's rules; the 202309 scope row leaves it open).
  { name: 'searchGlobalProducts', method: 'POST', path: '/product/202309/global_products/search', scopes: ['seller.global_product.info'], cipher: 'forbidden' },
  { name: 'uploadImage', method: 'POST', path: '/product/202309/images/upload', scopes: ['seller.product.basic'], cipher: 'forbidden', body: 'multipart' },
  { name: 'uploadFile', method: 'POST', path: '/product/202309/files/upload', scopes: ['seller.product.basic'], cipher: 'forbidden', body: 'multipart' },
  // The Event API: a shop's webhook address per event type.
  { name: 'getShopWebhooks', method: 'GET', path: '/event/202309/webhooks', scopes: ['seller.authorization.info'], cipher: 'required' },
  { name: 'updateShopWebhook', method: 'PUT', path: '/event/202309/webhooks', scopes: ['seller.authorization.info'], cipher: 'required' },
  { name: 'deleteShopWebhook', method: 'DELETE', path: '/event/202309/webhooks', scopes: ['seller.authorization.info'], cipher: 'required' },
];

export interface EndpointMatch {
  endpoint: Endpoint;
  params: Record<string, string>;
}

export type MatchResult = { kind: 'found'; match: EndpointMatch } | { kind: 'wrong-method' } | { kind: 'unknown' };

const compiled = endpoints.map((endpoint) => {
  const names: string[] = [];
  const source = endpoint.path.replace(/\{(\w+)\}/g, (_all, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { endpoint, names, pattern: new RegExp(`^${source}$`) };
});

export function matchEndpoint(method: string, path: string): MatchResult {
  let pathKnown = false;
  for (const { endpoint, names, pattern } of compiled) {
    const found = pattern.exec(path);
    if (found === null) continue;
    pathKnown = true;
    if (endpoint.method !== method) continue;
    const params: Record<string, string> = {};
    names.forEach((name, index) => (params[name] = decodeURIComponent(found[index + 1] ?? '')));
    return { kind: 'found', match: { endpoint, params } };
  }
  return pathKnown ? { kind: 'wrong-method' } : { kind: 'unknown' };
}
