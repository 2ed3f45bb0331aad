/** A query value as callers give it; arrays become one comma-joined value. */
export type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];

/**
 * Turns caller query values into the one-string-per-name form TikTok signs: arrays are joined with
 * commas, and undefined, null, empty strings and empty arrays are dropped (never signed as "undefined").
 *
 * @example
 * normalizeQuery({ ids: ['1', '2'], page_size: 20, cursor: undefined, note: '' })
 * // { ids: '1,2', page_size: '20' }
 */
export function normalizeQuery(query: Record<string, QueryValue> = {}): Record<string, string> {
  // No prototype: a parameter named `__proto__` stays an ordinary entry.
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value) ? value.map(String).join(',') : String(value);
    if (text !== '') result[name] = text;
  }
  return result;
}

/**
 * Percent-encodes a query for the URL: spaces as `%20`, `+` as `%2B` (never `+` for a space).
 * Throws `URIError` for strings with lone surrogates, which have no UTF-8 form.
 *
 * @example
 * encodeQuery({ q: 'a b+c', x: 'é' }) // 'q=a%20b%2Bc&x=%C3%A9'
 */
export function encodeQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}
