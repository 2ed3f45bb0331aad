import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Refusal, RefusalAudit } from '../../apps/audited.js';
import {
  InternalError,
  databaseUnavailable,
  isServiceError,
  MalformedJson,
  ValidationFailed,
  PayloadTooLarge,
  ReauthorizationSellerMismatch,
  type ServiceError,
} from '../../shared/errors.js';
import { TikTokRateLimited } from '../../tiktok/index.js';
import { errorBody } from '../errors.js';
import { apiPaths, personalPages } from '../paths.js';
import { pageLocale, setContentLanguage } from '../page-locale.js';
import { errorPage } from '../views/error-page.js';
import { translator } from '../views/i18n/index.js';

/**
 * The one error handler: every failure leaves as interface.md's JSON shape, or as an HTML page for
 * people on merchant and admin pages. Details of unexpected errors go only to the log. A call to an
 * audited endpoint refused before its handler ran (4xx from authentication, scope, shop limit, rate
 * limit or validation) is audited here through `refusals`, once for every endpoint.
 */
export function errorHandler(logger: Logger, refusals?: RefusalAudit, pages: { appName: string } = { appName: 'TikTok Shop Connect' }) {
  return function handleError(err: unknown, req: Request, res: Response, next: NextFunction): void {
    if (res.headersSent) {
      next(err);
      return;
    }
    const error = toServiceError(err);
    const { status, body } = errorBody(error, req.id);
    if (status >= 500) logger.error({ err, requestId: req.id, code: error.code }, 'request failed');
    else logger.debug({ requestId: req.id, code: error.code }, 'request refused');
    const call = req.auditedCall;
    if (refusals && call && !call.reachedHandler && status < 500) {
      refusals.record({ ...callerOf(req), route: call.route, code: error.code, status, shopId: call.shopId, requestId: req.id });
    }
    const retryAfter = retryAfterSeconds(error);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(status);
    if (wantsHtml(req)) {
      // The console speaks English; merchants' pages speak their language.
      const admin = /^\/(admin|dev-idp)(\/|$)/.test(req.path);
      const locale = admin ? 'en' : pageLocale(req);
      setContentLanguage(res, locale);
      const retryPath = req.method === 'GET' && !req.path.startsWith('/oauth/') ? req.originalUrl : undefined;
      const page = { status, message: body.error, hint: body.hint, code: body.code, requestId: body.requestId, retryPath, params: pageParams(error) };
      res.type('html').send(errorPage(page, { t: translator(locale), app: pages.appName, admin }));
      return;
    }
    res.json(body);
  };
}

/** Values an error page puts into its catalog message. */
function pageParams(error: ServiceError): Record<string, string> | undefined {
  if (error instanceof ReauthorizationSellerMismatch) return { expected: error.expectedSeller, actual: error.actualSeller };
  return undefined;
}

/**
 * Seconds a 429 asks the caller to wait: our own limits know; when TikTok limited the shop, its
 * Retry-After, or 1 second (its limits are per second).
 */
function retryAfterSeconds(error: ServiceError): number | undefined {
  if ('retryAfterSeconds' in error && typeof error.retryAfterSeconds === 'number') return Math.max(1, Math.ceil(error.retryAfterSeconds));
  if (error instanceof TikTokRateLimited) {
    const sent = Number(error.response?.headers['retry-after']);
    return Number.isInteger(sent) && sent > 0 ? sent : 1;
  }
  return undefined;
}

/** Who made a refused call: the API client or admin when known, otherwise the kind of caller the endpoint serves. */
function callerOf(req: Request): Pick<Refusal, 'actorType' | 'actorId'> {
  if (req.apiClient) return { actorType: 'api_client', actorId: req.apiClient.id };
  if (req.admin) return { actorType: 'admin', actorId: req.admin.email };
  const call = req.auditedCall!;
  const actorType = call.auth === 'api-key' ? 'api_client' : call.auth === 'admin' ? 'admin' : call.tag === 'webhooks' ? 'tiktok' : 'merchant';
  return { actorType, actorId: null };
}

function toServiceError(err: unknown): ServiceError {
  if (isServiceError(err)) return err;
  // Prisma's queries reach the database past the SQL client's translation: a lost database is 503 here too.
  const unavailable = databaseUnavailable(err);
  if (unavailable) return unavailable;
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') {
    // The JSON parser takes objects and arrays only; a bare string or number is valid JSON, but not a body.
    const sent = (err as { body?: unknown }).body;
    const scalar = typeof sent === 'string' && /^\s*(["\d-]|true|false|null)/.test(sent) && isJson(sent);
    return scalar
      ? new MalformedJson('The request body is a bare JSON value; it must be a JSON object (or array).', {
          cause: err,
          hint: 'Wrap the value in an object, e.g. {"field": value}, and send it with Content-Type: application/json.',
        })
      : new MalformedJson('The request body is not valid JSON.', { cause: err });
  }
  if (type === 'entity.too.large') return new PayloadTooLarge('The request body is too large.', { cause: err });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new MalformedJson('The request body uses an unsupported encoding; send UTF-8 JSON.', { cause: err });
  }
  const status = (err as { status?: unknown; expose?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: unknown }).expose !== false) {
    // e.g. bad percent-encoding in a path parameter, too many form fields, an aborted upload
    return new ValidationFailed(`The request is malformed: ${(err as Error).message}.`, [], { cause: err });
  }
  return new InternalError('Unexpected failure.', { cause: err });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The simulator's machine endpoints, in development. */
const simulatorApi = /^\/simulator\/(api|_sim)(\/|$)/;

/**
 * The API, webhooks and operations endpoints always answer JSON. Merchant and admin pages answer
 * HTML unless the client asks for JSON; anything else answers JSON unless the client asks for HTML.
 */
function wantsHtml(req: Request): boolean {
  if (apiPaths.test(req.path) || simulatorApi.test(req.path)) return false;
  const page = req.path === '/' || personalPages.test(req.path);
  return req.accepts(page ? ['html', 'json'] : ['json', 'html']) === 'html';
}
