import type { Request } from 'express';
import { UriTooLong } from '../../shared/errors.js';

export const maxUrlLength = 8192;

/** A JSON 414 for a very long URL (the server accepts longer header blocks so this can answer); undefined otherwise. */
export function urlTooLong(req: Request): UriTooLong | undefined {
  if (req.originalUrl.length <= maxUrlLength) return undefined;
  return new UriTooLong(`The URL is ${req.originalUrl.length} characters long; the limit is ${maxUrlLength}.`);
}
