import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { redactUrl } from '../../shared/redaction.js';

/**
 * One line per request: method, redacted URL, status, duration. Never headers or bodies. Costs
 * nothing per request when the level logs neither requests (info) nor failures (error).
 */
export function requestLog(logger: Logger) {
  const logsRequests = logger.isLevelEnabled('info');
  if (!logsRequests && !logger.isLevelEnabled('error')) {
    return function skipRequestLog(_req: Request, _res: Response, next: NextFunction): void {
      next();
    };
  }
  return function logRequest(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      if (res.statusCode < 500 && !logsRequests) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const level = res.statusCode >= 500 ? 'error' : 'info';
      logger[level](
        { requestId: req.id, method: req.method, url: redactUrl(req.originalUrl), status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    });
    next();
  };
}
