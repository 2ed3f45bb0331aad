import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from '../../shared/errors.js';

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
  if (carriesBody(req) && !req.is('application/json')) {
    const type = req.headers['content-type'];
    throw new UnsupportedMediaType(
      type === undefined
        ? 'The request body has no Content-Type; only JSON bodies are accepted.'
        : `The request body is ${type.split(';')[0]!.trim().slice(0, 100)}; only JSON bodies are accepted.`,
    );
  }
  next();
}

/**
 * {@link requireJsonBody}, except that a `multipart/form-data` body (an upload) passes too, unread:
 * the proxy forwards it as it streams in.
 */
export function requireJsonOrMultipartBody(req: Request, res: Response, next: NextFunction): void {
  if (carriesBody(req) && req.is('multipart/form-data')) {
    next();
    return;
  }
  if (carriesBody(req) && !req.is('application/json')) {
    const type = req.headers['content-type'];
    throw new UnsupportedMediaType(
      type === undefined
        ? 'The request body has no Content-Type; send JSON (application/json) or an upload (multipart/form-data).'
        : `The request body is ${type.split(';')[0]!.trim().slice(0, 100)}; send JSON (application/json) or an upload (multipart/form-data).`,
      { hint: 'Send the body with Content-Type: application/json, or a file upload with Content-Type: multipart/form-data (boundary included).' },
    );
  }
  next();
}

/**
 * 400 for a body on a route that takes none (a proxied GET): TikTok's GET endpoints read no body,
 * so it would be dropped without a word. An empty body (`Content-Length: 0`) passes.
 */
export function refuseBody(req: Request, _res: Response, next: NextFunction): void {
  if (carriesBody(req)) {
    throw new ValidationFailed('A GET request carries no body, and this one has one; it would not reach TikTok.', [
      { path: 'body', message: 'not allowed on GET' },
    ], { hint: 'Send the parameters in the query string, or use POST for a TikTok endpoint that takes a JSON body.' });
  }
  next();
}

function carriesBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
