import type { NextFunction, Request, Response } from 'express';
import type { RateLimits } from '../../apps/rate-limits.js';
import { QuotaExhausted, RateLimited } from '../../shared/errors.js';

/**
 * Counts the request against the API client's per-minute limit and daily quota (after
 * requireApiKey) and says where it stands in X-RateLimit-Limit / -Remaining / -Reset (Unix seconds
 * when the minute window resets; left out for a client without a per-minute limit), on success and on every 429 alike; a 429 for the daily quota adds
 * X-Quota-Limit / -Remaining / -Reset. The error handler adds Retry-After.
 */
export function limitRate(limits: RateLimits) {
  return function limitRateOfClient(req: Request, res: Response, next: NextFunction): void {
    const client = req.apiClient;
    if (!client) {
      next();
      return;
    }
    try {
      const state = limits.consume(client);
      if (state) setHeaders(res, state.limit, state.remaining, state.resetAt);
    } catch (error) {
      if (error instanceof RateLimited) setHeaders(res, error.limit, 0, error.resetAt);
      if (error instanceof QuotaExhausted) {
        const minute = limits.minuteState(client);
        if (minute) setHeaders(res, minute.limit, minute.remaining, minute.resetAt);
        setHeaders(res, error.limit, 0, error.resetAt, 'X-Quota');
      }
      throw error;
    }
    next();
  };
}

/** `X-RateLimit-*` for the per-minute limit; `X-Quota-*` for the daily quota when it is used up. */
function setHeaders(res: Response, limit: number, remaining: number, resetAt: Date, prefix = 'X-RateLimit'): void {
  res.setHeader(`${prefix}-Limit`, String(limit));
  res.setHeader(`${prefix}-Remaining`, String(remaining));
  res.setHeader(`${prefix}-Reset`, String(Math.ceil(resetAt.getTime() / 1000)));
}
