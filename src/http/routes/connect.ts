import cookieParser from 'cookie-parser';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ConnectionsService, SignedCookie } from '../../connections/index.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { merchantContext, rememberTikTokLocale } from '../page-locale.js';
import { connectPage } from '../views/connect.js';

/** Cookie names the connect flow uses; values are jose HS256 JWTs and never logged. */
export const connectCookies = { binding: 'tsc_oauth_binding', connections: 'tsc_merchant' } as const;

export interface ConnectRouteDeps {
  connections: ConnectionsService;
  config: { publicUrl: string; appDisplayName: string };
}

const tokenParams = z.object({ token: z.string().min(1).max(200) }).strict();
/** The connect page's form: the merchant's market, when the service serves several (#13). */
const authorizeForm = z.object({ market: z.enum(['us', 'global']).optional() }).strict();
/** TikTok adds undocumented parameters (`app_key`, `locale`, `shop_region`), so this schema is loose. */
const callbackQuery = z.looseObject({
  code: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
});

/** Merchant pages of the connect flow: the link, its button, and TikTok's redirect back. */
export function connectEndpoints(deps: ConnectRouteDeps): Endpoint[] {
  const secure = deps.config.publicUrl.startsWith('https://');
  const setCookie = (res: Response, name: string, cookie: SignedCookie, path: string) =>
    res.cookie(name, cookie.value, { httpOnly: true, sameSite: 'lax', secure, path, maxAge: cookie.maxAgeSeconds * 1000 });
  const cookie = (req: Request, name: string): string | undefined => {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value : undefined;
  };

  return [
    defineEndpoint({
      method: 'get',
      path: '/connect/:token',
      summary: 'The connect page of a connect link',
      tag: 'merchant',
      auth: 'none',
      audited: true,
      request: { params: tokenParams },
      handler: async ({ params }, req, res) => {
        const model = await deps.connections.connectPage(params.token, { requestId: req.id });
        const page = connectPage(model, `/connect/${encodeURIComponent(params.token)}/authorize`, merchantContext(req, res, deps.config.appDisplayName));
        res.set('Cache-Control', 'no-store').type('html').send(page);
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/connect/:token/authorize',
      summary: 'Starts authorization: binds a state to this browser and redirects to TikTok Shop',
      tag: 'merchant',
      auth: 'none',
      audited: true,
      request: { params: tokenParams, body: authorizeForm },
      middleware: [cookieParser()],
      handler: async ({ params, body }, req, res) => {
        const started = await deps.connections.startAuthorization(params.token, cookie(req, connectCookies.binding), { requestId: req.id, market: body.market });
        setCookie(res, connectCookies.binding, started.bindingCookie, '/');
        res.set('Cache-Control', 'no-store').redirect(303, started.authorizeUrl);
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/oauth/tiktok/callback',
      summary: "TikTok Shop's redirect after the seller approved or denied",
      tag: 'merchant',
      auth: 'none',
      audited: true,
      request: { query: callbackQuery },
      middleware: [cookieParser()],
      handler: async (_input, req, res) => {
        // TikTok says which language the seller used; their status page (and any error) speaks it.
        rememberTikTokLocale(req, res, secure);
        const done = await deps.connections.completeAuthorization(
          req.query as Record<string, unknown>,
          { binding: cookie(req, connectCookies.binding), connections: cookie(req, connectCookies.connections) },
          { requestId: req.id },
        );
        // Path '/': the callback itself reads it, to keep this browser's earlier connections.
        setCookie(res, connectCookies.connections, done.connectionsCookie, '/');
        res.set('Cache-Control', 'no-store').redirect(303, done.location);
      },
    }),
  ];
}
