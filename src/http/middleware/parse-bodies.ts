import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PayloadTooLarge, UnsupportedMediaType } from '../../shared/errors.js';

/**
 * Runs the body parsers only for requests that announce a body (Content-Length or
 * Transfer-Encoding), so the GET hot path skips them entirely. A body over a parser's limit becomes
 * {@link PayloadTooLarge} with a hint for what was sent: a JSON body or a form.
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
        next(error === undefined ? undefined : tooLarge(req, error));
        return;
      }
      parsers[index++]!(req, res, step);
    };
    step();
  };
}

/** body-parser's "entity.too.large" (with its `limit` and `length` in bytes) as a PayloadTooLarge; other errors unchanged. */
function tooLarge(req: Request, error: unknown): unknown {
  const failure = error as { type?: unknown; limit?: unknown; length?: unknown } | null;
  if (failure?.type !== 'entity.too.large' || typeof failure.limit !== 'number') return error;
  const limit = bytes(failure.limit);
  const message =
    typeof failure.length === 'number'
      ? `The request body is ${failure.length} bytes; the limit is ${limit}.`
      : `The request body is larger than the limit of ${limit}.`;
  const hint = req.is('application/json')
    ? `Send a smaller JSON body (at most ${limit}) with POST; split a large batch into several requests.`
    : `Send a smaller form (at most ${limit}).`;
  return new PayloadTooLarge(message, { cause: error, hint });
}

function bytes(count: number): string {
  if (count >= 1024 * 1024 && count % (1024 * 1024) === 0) return `${count / (1024 * 1024)} MB`;
  if (count >= 1024 && count % 1024 === 0) return `${count / 1024} KB`;
  return `${count} bytes`;
}

/**
 * 415 {@link UnsupportedMediaType} for a request that carries a body that is not
 * `application/json` (text/plain, a form, no Content-Type): such a body would otherwise reach the
 * handler as no body at all. Requests without a body pass.
 */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (hasBody && !req.is('application/json')) {
    const type = req.headers['content-type'];
    throw new UnsupportedMediaType(
      type === undefined
        ? 'The request body has no Content-Type; only JSON bodies are accepted.'
        : `The request body is ${type.split(';')[0]!.trim().slice(0, 100)}; only JSON bodies are accepted.`,
    );
  }
  next();
}
