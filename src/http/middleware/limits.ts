import type { NextFunction, Request, Response } from 'express';
import { UriTooLong } from '../../shared/errors.js';

export const maxUrlLength = 8192;

/** Refuses very long URLs with a JSON 414 (the server accepts longer header blocks so this can answer). */
export function refuseLongUrls(req: Request, _res: Response, next: NextFunction): void {
  if (req.originalUrl.length > maxUrlLength) {
    next(new UriTooLong(`The URL is ${req.originalUrl.length} characters long; the limit is ${maxUrlLength}.`));
    return;
  }
  next();
}
