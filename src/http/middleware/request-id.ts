import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';

const acceptable = /^[A-Za-z0-9._:-]{8,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    /** Correlates the answer, the logs and the audit events of one request. */
    id: string;
    /** `performance.now()` when the request reached the app (Server-Timing, the request log, the duration metric). */
    receivedAt: number;
  }
}

/** Reuses a well-formed incoming `X-Request-Id`, otherwise makes one, and echoes it on the answer. */
export function assignRequestId(req: Request, res: Response): void {
  req.receivedAt = performance.now();
  const incoming = req.headers['x-request-id'];
  req.id = typeof incoming === 'string' && acceptable.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.id);
}

/** {@link assignRequestId} as a middleware (the metrics listener; the app does it in everyRequest). */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  assignRequestId(req, res);
  next();
}
