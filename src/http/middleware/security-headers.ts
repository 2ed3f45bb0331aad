import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { apiPaths, personalPages } from '../paths.js';

/**
 * Security headers by kind of answer. Pages get helmet's full set (CSP and the rest). The JSON API
 * gets the short set OWASP recommends for REST services, which is all a browser-less caller needs
 * and keeps the hot path light: no caching, no sniffing, no framing, no content.
 */
export function securityHeaders(options: { https: boolean }): RequestHandler {
  const pages = helmet({ contentSecurityPolicy: { directives: { 'form-action': null } } });
  const api: [string, string][] = [
    ['Cache-Control', 'no-store'],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
    ...(options.https ? ([['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']] as [string, string][]) : []),
  ];
  return function setSecurityHeaders(req: Request, res: Response, next: NextFunction): void {
    if (apiPaths.test(req.path)) {
      for (const [name, value] of api) res.setHeader(name, value);
      next();
      return;
    }
    if (personalPages.test(req.path)) res.setHeader('Cache-Control', 'no-store');
    pages(req, res, next);
  };
}
