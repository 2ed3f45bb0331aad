import type { NextFunction, Request, Response } from 'express';
import { match } from 'path-to-regexp';
import { MethodNotAllowed, RouteNotFound } from '../../shared/errors.js';
import type { Endpoint } from '../endpoint.js';

/** Last route: 405 with `Allow` when the path exists under other methods, otherwise 404. */
export function notFound(endpoints: Endpoint[]) {
  const matchers = endpoints.map((endpoint) => ({ method: endpoint.method.toUpperCase(), matches: match(endpoint.path) }));
  return function routeNotFound(req: Request, res: Response, next: NextFunction): void {
    const allowed = [...new Set(matchers.filter((m) => m.matches(req.path)).map((m) => m.method))];
    if (allowed.length > 0) {
      res.setHeader('Allow', allowed.join(', '));
      next(new MethodNotAllowed(`${req.method} is not allowed on ${req.path}; use ${allowed.join(' or ')}.`, allowed));
      return;
    }
    next(new RouteNotFound(`No route ${req.method} ${req.path}.`));
  };
}
