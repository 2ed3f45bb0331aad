import type { NextFunction, Request, Response } from 'express';
import type { HttpMetrics } from '../../shared/metrics.js';

/** The `route` label of a request that matched no route (a 404, or a router that is not Express's). */
export const unmatchedRoute = '(unmatched)';

/**
 * Times every request into `http_request_duration_seconds{method, route, status}`. `route` is the
 * matched route's template (`/v1/shops/:shopId/token`), read when the answer is finished, so raw
 * paths and ids never become label values.
 */
export function httpMetrics(metrics: HttpMetrics) {
  // One labelled child per (method, route, status), made once: no label object to build and validate
  // on every request (issue #12, hot path). Bounded: methods × route templates × statuses.
  const children = new Map<string, { observe(value: number): void }>();
  const child = (method: string, route: string, status: string) => {
    const key = `${method} ${route} ${status}`;
    let found = children.get(key);
    if (!found) children.set(key, (found = metrics.requestDuration.labels({ method, route, status })));
    return found;
  };
  return function timeRequest(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      child(methodLabel(req.method), routeTemplate(req), String(res.statusCode)).observe(seconds);
    });
    next();
  };
}

function routeTemplate(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : unmatchedRoute;
}

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function methodLabel(method: string): string {
  return knownMethods.has(method) ? method : 'OTHER';
}
