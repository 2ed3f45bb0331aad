import type { Request } from 'express';

/** Decoded query values, first one per name (TikTok's samples read `Get(key)`). */
export function firstValues(req: Request): Record<string, string> {
  const search = new URL(req.originalUrl, 'http://simulator.invalid').searchParams;
  const values: Record<string, string> = {};
  for (const [name, value] of search) if (!(name in values)) values[name] = value;
  return values;
}
