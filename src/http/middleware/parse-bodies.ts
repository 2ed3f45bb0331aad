import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs the body parsers only for requests that announce a body (Content-Length or
 * Transfer-Encoding), so the GET hot path skips them entirely.
 */
export function parseBodies(parsers: RequestHandler[]): RequestHandler {
  return function parseBodiesWhenSent(req: Request, res: Response, next: NextFunction): void {
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
      next();
      return;
    }
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined || index === parsers.length) {
        next(error);
        return;
      }
      parsers[index++]!(req, res, step);
    };
    step();
  };
}
