import data from './data/endpoint-scopes.json' with { type: 'json' };

/** One endpoint row of `data/endpoint-scopes.json` (generated from /work/shared/tiktok-scopes.json). */
export interface EndpointScopeRow {
  method: string;
  /** Path template, e.g. `/order/202309/orders/{order_id}`. */
  path: string;
  scope_keys: string[];
  scope_names: string[];
  /** true: required; false: not taken; null: optional or unknown. */
  shop_cipher: boolean | null;
  /** Set for older API versions whose scopes are copied from the current version (not documented). */
  inferred?: boolean;
}

export interface RequiredScopes {
  /** The documented path template that matched, e.g. `/order/202309/orders/{order_id}`. */
  pathTemplate: string;
  /** Any one of these suffices; empty when the docs give no scope for the endpoint. */
  scopeKeys: string[];
  scopeNames: string[];
  requiresShopCipher: boolean | null;
  /**
   * true when TikTok documents this row for this exact API version; false for an older version whose
   * scopes are inferred from the current one. Only documented rows may refuse a call before TikTok sees it.
   */
  documented: boolean;
}

export interface ScopeIndex {
  requiredScopesFor(method: string, path: string): RequiredScopes | undefined;
  scopeName(key: string): string;
}

/**
 * Builds a lookup over endpoint rows. Exact paths win over templates; among templates, the one
 * with the fewest `{param}` segments wins.
 *
 * @example
 * const index = createScopeIndex([{ method: 'GET', path: '/order/202309/orders/{id}',
 *   scope_keys: ['seller.order.info'], scope_names: ['Order Information'], shop_cipher: true }], []);
 * index.requiredScopesFor('get', '/order/202309/orders/576')?.scopeKeys // ['seller.order.info']
 */
export function createScopeIndex(rows: readonly EndpointScopeRow[], scopes: readonly { key: string; name: string }[]): ScopeIndex {
  const exact = new Map<string, EndpointScopeRow>();
  const templated: { method: string; pattern: RegExp; params: number; row: EndpointScopeRow }[] = [];
  for (const row of rows) {
    const method = row.method.toUpperCase();
    const params = (row.path.match(/\{[^/}]+\}/g) ?? []).length;
    if (params === 0) exact.set(`${method} ${row.path}`, row);
    else templated.push({ method, pattern: templateToRegExp(row.path), params, row });
  }
  templated.sort((a, b) => a.params - b.params);
  const names = new Map(scopes.map((scope) => [scope.key, scope.name]));

  return {
    requiredScopesFor(method, path) {
      const upper = method.toUpperCase();
      const clean = path.split('?')[0] ?? path;
      const row =
        exact.get(`${upper} ${clean}`) ??
        templated.find((candidate) => candidate.method === upper && candidate.pattern.test(clean))?.row;
      if (!row) return undefined;
      return {
        pathTemplate: row.path,
        scopeKeys: [...row.scope_keys],
        scopeNames: [...row.scope_names],
        requiresShopCipher: row.shop_cipher,
        documented: row.inferred !== true,
      };
    },
    scopeName(key) {
      return names.get(key) ?? key;
    },
  };
}

/** Partner Center's name of each scope key: catalog data, read once at import and never changed. */
const scopeNames: ReadonlyMap<string, string> = new Map(data.scopes.map((scope) => [scope.key, scope.name]));

/** The Partner Center name of a scope key, or the key itself when unknown. */
export function scopeName(key: string): string {
  return scopeNames.get(key) ?? key;
}

/**
 * The index over the bundled `data/endpoint-scopes.json`, built anew on each call: the composition
 * root builds it once and hands it to whatever needs it (no module-level cache).
 *
 * @example
 * const scopes = loadScopeIndex();
 * scopes.requiredScopesFor('GET', '/authorization/202309/shops')
 * // { pathTemplate: '/authorization/202309/shops', scopeKeys: ['seller.authorization.info'],
 * //   scopeNames: ['Shop Authorized Information'], requiresShopCipher: false, documented: true }
 * scopes.scopeName('seller.finance.info') // 'Finance Information'
 */
export function loadScopeIndex(): ScopeIndex {
  return createScopeIndex(data.endpoints as EndpointScopeRow[], data.scopes);
}

/**
 * The required scopes the grant lacks. Any one listed scope suffices (see the notes of
 * tiktok-scopes.json), so this is `[]` when one is granted, and the whole list otherwise.
 *
 * @example
 * missingScopes(['seller.order.ext_ref.write.custom', 'seller.order.ext_ref.write'], ['seller.order.ext_ref.write']) // []
 * missingScopes(['seller.finance.info'], ['seller.order.info']) // ['seller.finance.info']
 */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  if (required.length === 0) return [];
  const have = new Set(granted);
  return required.some((key) => have.has(key)) ? [] : [...required];
}

function templateToRegExp(template: string): RegExp {
  const source = template
    .split(/(\{[^/}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
