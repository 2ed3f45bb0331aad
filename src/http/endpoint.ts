import type { Express, NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { wellFormedJson } from '../shared/well-formed.js';
import { ValidationFailed } from '../shared/errors.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Set on every call of an audited endpoint, for the error handler to audit refusals. */
export interface AuditedCall {
  /** `METHOD /path/template`, e.g. `POST /v1/shops/:shopId/sign`. */
  route: string;
  auth: EndpointAuth;
  tag: string;
  shopId: string | null;
  /** Whether the handler ran: from then on the use case audits its own outcome. */
  reachedHandler: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    auditedCall?: AuditedCall;
  }
}

/** How a route is protected, for the OpenAPI description. */
export type EndpointAuth = 'api-key' | 'admin' | 'none';

/**
 * A route as data: its schemas are the contract (validation, types and OpenAPI come from them),
 * and it says whether it is audited. Handlers receive validated input; a returned value is sent as JSON.
 */
export interface Endpoint<Params = unknown, Query = unknown, Body = unknown> {
  method: HttpMethod;
  /** Express path, e.g. `/v1/shops/:shopId/token` or `/v1/shops/:shopId/proxy/*path`. */
  path: string;
  summary: string;
  tag: string;
  auth: EndpointAuth;
  /**
   * Whether each call is written to the audit log. The handler's use case audits what it does;
   * a call refused before the handler (middleware, validation) is audited by the error handler.
   */
  audited: boolean;
  /** Scope an API key needs (documentation; enforce it in `middleware`). */
  scope?: string;
  request?: { params?: z.ZodType<Params>; query?: z.ZodType<Query>; body?: z.ZodType<Body> };
  /** Set when the endpoint also takes a `multipart/form-data` body (an upload, not validated): what it does with it. */
  multipart?: string;
  /** Response schemas by status, for the OpenAPI description. */
  responses?: Record<number, { description: string; schema?: z.ZodType }>;
  /** Runs before validation (authentication first, so an unauthenticated caller learns nothing). */
  middleware?: RequestHandler[];
  status?: number;
  handler: (input: { params: Params; query: Query; body: Body }, req: Request, res: Response) => unknown;
}

/** Keeps the generic types of one endpoint while collecting many in one array. */
export function defineEndpoint<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  endpoint: Endpoint<P, Q, B>,
): Endpoint {
  return endpoint as unknown as Endpoint;
}

export function mountEndpoints(router: Router | Express, endpoints: Endpoint[]): void {
  for (const endpoint of endpoints) {
    const marker = endpoint.audited ? [markAudited(endpoint)] : [];
    (router as Router)[endpoint.method](endpoint.path, ...marker, ...(endpoint.middleware ?? []), run(endpoint));
  }
}

/** First on an audited endpoint: notes the route and shop before any middleware can refuse the call. */
function markAudited(endpoint: Endpoint): RequestHandler {
  const route = `${endpoint.method.toUpperCase()} ${endpoint.path}`;
  return function markAuditedCall(req: Request, _res: Response, next: NextFunction): void {
    const shopId = req.params.shopId;
    req.auditedCall = { route, auth: endpoint.auth, tag: endpoint.tag, shopId: typeof shopId === 'string' ? shopId : null, reachedHandler: false };
    next();
  };
}

function run(endpoint: Endpoint): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    refuseNulCharacters({ path: req.params, query: req.query, body: req.body });
    // Lone surrogates (only JSON escapes can make them) become U+FFFD before anything stores, audits
    // or logs them. The proxy forwards the caller's raw bytes, not this.
    if (req.body !== undefined) req.body = wellFormedJson(req.body);
    const input = {
      params: parse(endpoint.request?.params, wellFormedJson(req.params), 'path'),
      query: parse(endpoint.request?.query, wellFormedJson(req.query), 'query'),
      body: parse(endpoint.request?.body, req.body, 'body'),
    };
    if (req.auditedCall) req.auditedCall.reachedHandler = true;
    const result = await endpoint.handler(input, req, res);
    if (res.headersSent || result === undefined) return;
    sendJson(res, endpoint.status ?? 200, result);
    void next;
  };
}

/**
 * What `res.status(status).json(value)` sends, without its detours (issue #12, hot path): no
 * Content-Type lookup and charset parsing, no ETag (turned off app-wide) and so no freshness check,
 * no string-to-Buffer copy. Node sends no body for HEAD.
 */
export function sendJson(res: Response, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function parse(schema: z.ZodType | undefined, value: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) return value;
  const result = schema.safeParse(where === 'body' && value === undefined ? {} : value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const first = issues[0]!;
  throw new ValidationFailed(`Invalid ${first.path}: ${first.message}`, issues);
}

/** U+0000 is never meaningful text here, and Postgres text and jsonb cannot store it: refused at the edge. */
function refuseNulCharacters(input: Record<string, unknown>): void {
  const where = findNul(input, '');
  if (where !== undefined) {
    throw new ValidationFailed(`Invalid ${where}: text must not contain NUL (U+0000) characters`, [
      { path: where, message: 'contains U+0000' },
    ]);
  }
}

function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = key.includes('\u0000') ? `${path}.${key}` : findNul(inner, path ? `${path}.${key}` : key, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
