import type { Request } from 'express';
import type { HttpMetrics } from '../../shared/metrics.js';

/** The `route` label of a request that matched no route (a 404, or a router that is not Express's). */
export const unmatchedRoute = '(unmatched)';

/** Records one finished request's duration. */
export type RequestTimer = (method: string, route: string | undefined, status: number, seconds: number) => void;

/**
 * Times every request into `http_request_duration_seconds{method, route, status}`. `route` is the
 * matched route's template (`/v1/shops/:shopId/token`, see {@link routeTemplate}), read when the
 * answer is finished, so raw paths and ids never become label values.
 */
export function httpMetrics(metrics: HttpMetrics): RequestTimer {
  // One labelled child per (method, route, status), made once: no label object to build and validate
  // on every request (issue #12, hot path). Bounded: methods × route templates × statuses.
  const children = new Map<string, { observe(value: number): void }>();
  return function timeRequest(method, route = unmatchedRoute, status, seconds) {
    const key = `${method} ${route} ${status}`;
    let child = children.get(key);
    if (!child) children.set(key, (child = metrics.requestDuration.labels({ method: methodLabel(method), route, status: String(status) })));
    child.observe(seconds);
  };
}

/** The matched route's template (`/v1/shops/:shopId/token`); undefined when no route matched. */
export function routeTemplate(req: Request): string | undefined {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : undefined;
}

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function methodLabel(method: string): string {
  return knownMethods.has(method) ? method : 'OTHER';
}
