import type { Request } from 'express';

/**
 * Decoded query values, first one per name (TikTok's samples read `Get(key)`). Percent-decoding only:
 * a `+` stays a `+`, since how TikTok decodes it is undocumented and a client relying on `+` for a
 * space should fail here rather than in production.
 */
export function firstValues(req: Request): Record<string, string> {
  const queryStart = req.originalUrl.indexOf('?');
  const values: Record<string, string> = {};
  if (queryStart === -1) return values;
  for (const pair of req.originalUrl.slice(queryStart + 1).split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const name = decode(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? '' : decode(pair.slice(separator + 1));
    if (!(name in values)) values[name] = value;
  }
  return values;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
