import cookieParser from 'cookie-parser';
import type { Request } from 'express';
import { z } from 'zod';
import type { ConnectionsService, MerchantAccess } from '../../connections/index.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { merchantContext } from '../page-locale.js';
import { merchantStatusPage } from '../views/merchant-status.js';
import { connectCookies } from './connect.js';

const idParams = z.object({ id: z.string().min(1).max(100) }).strict();
const sig = z.string().min(1).max(2000).optional();

/** The merchant status page, reached by the cookie set during connect or a signed status link. */
export function merchantEndpoints(deps: { connections: ConnectionsService; config: { appDisplayName: string } }): Endpoint[] {
  const access = (req: Request, signature: string | undefined): MerchantAccess => {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[connectCookies.connections];
    return { sig: signature, connectionsCookie: typeof value === 'string' ? value : undefined };
  };
  return [
    defineEndpoint({
      method: 'get',
      path: '/merchant/connections/:id',
      summary: 'Status, shops and problems of a connection, for the merchant',
      tag: 'merchant',
      auth: 'none',
      audited: false,
      request: { params: idParams, query: z.object({ sig, outcome: z.enum(['created', 'reauthorized']).optional() }).strict() },
      middleware: [cookieParser()],
      handler: async ({ params, query }, req, res) => {
        const model = await deps.connections.merchantStatus(params.id, access(req, query.sig));
        const reauthorize = { action: `/merchant/connections/${encodeURIComponent(params.id)}/reauthorize`, sig: query.sig };
        const page = merchantStatusPage(model, { reauthorize, outcome: query.outcome }, merchantContext(req, res, deps.config.appDisplayName));
        res.set('Cache-Control', 'no-store').type('html').send(page);
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/merchant/connections/:id/reauthorize',
      summary: 'Starts re-authorizing a connection: a new connect link bound to it',
      tag: 'merchant',
      auth: 'none',
      audited: true,
      request: { params: idParams, body: z.object({ sig }).strict() },
      middleware: [cookieParser()],
      handler: async ({ params, body }, req, res) => {
        const session = await deps.connections.startReauthorization(params.id, access(req, body.sig), { requestId: req.id });
        res.redirect(303, new URL(session.url).pathname);
      },
    }),
  ];
}
