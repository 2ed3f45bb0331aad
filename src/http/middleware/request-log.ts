import type { Request } from 'express';
import type { Logger } from 'pino';
import { redactUrl } from '../../shared/redaction.js';

/** Writes the request's log line once its answer is finished. */
export type RequestLogLine = (req: Request, status: number, ms: number, route: string | undefined) => void;

/**
 * One line per request: request id, method, redacted URL, route template, status, duration. Never
 * headers or bodies. Undefined (nothing to do per request) when the level logs neither requests
 * (info) nor failures (error).
 *
 * The line is built here from those fields alone, so it is written through a child logger without
 * pino's path redaction: the service's redaction paths include wildcards (`*.accessToken`), which
 * pino checks on every key of every line, and that was the larger part of the line's cost (issue
 * #12). The URL is cleaned by {@link redactUrl}; nothing else in the line can hold a secret.
 */
export function requestLog(logger: Logger): RequestLogLine | undefined {
  const logsRequests = logger.isLevelEnabled('info');
  if (!logsRequests && !logger.isLevelEnabled('error')) return undefined;
  const lines = logger.child({}, { redact: [] });
  return function logRequest(req, status, ms, route) {
    if (status < 500 && !logsRequests) return;
    const line = { requestId: req.id, method: req.method, url: redactUrl(req.originalUrl), route, status, ms: Math.round(ms * 10) / 10 };
    if (status >= 500) lines.error(line, 'request');
    else lines.info(line, 'request');
  };
}
