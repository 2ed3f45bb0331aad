import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { HttpMetrics } from '../../shared/metrics.js';
import { httpMetrics, routeTemplate } from './http-metrics.js';
import { urlTooLong } from './limits.js';
import { assignRequestId } from './request-id.js';
import { requestLog } from './request-log.js';
import { securityHeaders } from './security-headers.js';

/**
 * What every request gets before routing, as one middleware: a request id, the security headers,
 * the URL-length check (414), and once the answer is finished its log line and its duration in
 * `http_request_duration_seconds`. One router layer and one shared `finish` listener instead of
 * five layers and two closures per request (issue #12: the token path's CPU per request).
 */
export function everyRequest(deps: { logger: Logger; metrics?: HttpMetrics; https: boolean }): RequestHandler {
  const log = requestLog(deps.logger);
  const time = deps.metrics ? httpMetrics(deps.metrics) : undefined;
  const headers = securityHeaders({ https: deps.https });
  // Shared by every response (`this`), so that no closure is made per request.
  function finished(this: Response): void {
    const req = this.req;
    const ms = performance.now() - req.receivedAt;
    const route = routeTemplate(req);
    log?.(req, this.statusCode, ms, route);
    time?.(req.method, route, this.statusCode, ms / 1000);
  }
  const watch = log !== undefined || time !== undefined;
  return function receiveRequest(req: Request, res: Response, next: NextFunction): void {
    assignRequestId(req, res);
    if (watch) res.on('finish', finished);
    const tooLong = urlTooLong(req);
    headers(req, res, tooLong ? () => next(tooLong) : next);
  };
}
