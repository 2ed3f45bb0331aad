import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import type { AdminConsole } from '../../admin/admin-console.js';
import type { AdminActor, StatusAction } from '../../admin/actions.js';
import type { DevIdentityProvider } from '../../admin/dev-identity-provider.js';
import { pendingLifetimeSeconds } from '../../admin/session.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { connectionSortKeys, type ConnectionSortKey } from '../../admin/review.js';
import { connectionStatuses, type ConnectionStatus } from '../../connections/lifecycle/index.js';
import type { Clock } from '../../shared/clock.js';
import { AdminForbidden, AdminSignInRequired, ConnectionNotFound, type ErrorCode } from '../../shared/errors.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { httpErrors } from '../errors.js';
import {
  adminCookieOptions,
  noStore,
  parseCookies,
  pendingCookie,
  requireAdmin,
  requireCsrf,
  sessionCookie,
} from '../middleware/admin-session.js';
import type { AdminFrame } from '../views/admin-common.js';
import { confirmActionPage, connectionPage, reauthorizationLinkPage, type Notice } from '../views/admin-connection.js';
import { connectionsPage, type AppLabel } from '../views/admin-connections.js';
import { devSignInPage, signedOutPage } from '../views/admin-sign-in.js';

export interface AdminRouteDeps {
  admin: AdminConsole;
  audit: AuditLog;
  clock: Clock;
  /** The configured TikTok Shop apps: the console filters by app and shows each connection's market (#13). */
  apps?: readonly AppLabel[];
}

const page = z.coerce.number().int().min(1).max(10_000).default(1);
const idParams = z.object({ id: z.string().min(1).max(100) }).strict();
const formBody = z.object({ _csrf: z.string() }).strict();
const notices = ['refreshed', 'refresh_failed', 'suspended', 'resumed', 'revoked', 'unchanged'] as const;
type NoticeKey = (typeof notices)[number];

/** `returnTo` must stay inside the console: a path under /admin, never another origin. */
function safeReturnTo(value: string | undefined): string {
  return value && /^\/admin(\/|\?|$)/.test(value) && !value.startsWith('//') ? value : '/admin/overview';
}

function frameOf(req: Request, clock: Clock): AdminFrame {
  const session = req.admin!;
  return { email: session.email, csrfToken: session.csrfToken, now: clock.now() };
}

function actorOf(req: Request): AdminActor {
  return { email: req.admin!.email, requestId: req.id };
}

/**
 * The admin console: OpenID Connect sign-in (`/admin/sign-in` → issuer → `/admin/callback`),
 * the connections list with its review queue, one connection's page, and its actions (POST forms
 * with a CSRF token, each audited and announced in the outbox).
 */
export function adminEndpoints(deps: AdminRouteDeps): Endpoint[] {
  const { admin, clock, audit } = deps;
  const signedIn = requireAdmin(admin);
  const page_ = (path: string, summary: string) => ({ method: 'get' as const, path, summary, tag: 'admin', auth: 'admin' as const });
  const post = (path: string, summary: string) => ({
    method: 'post' as const,
    path,
    summary,
    tag: 'admin',
    auth: 'admin' as const,
    audited: true,
    middleware: [...signedIn, requireCsrf],
  });
  const statusAction = (action: StatusAction, done: NoticeKey, body: z.ZodType<{ _csrf: string }> = formBody) =>
    defineEndpoint<{ id: string }, Record<string, never>, { _csrf: string }>({
      ...post(`/admin/connections/:id/${action}`, `${action} a connection`),
      request: { params: idParams, body },
      handler: async ({ params }, req, res) => {
        const { result } = await admin.actions.changeStatus(action, params.id, actorOf(req));
        res.redirect(303, `/admin/connections/${encodeURIComponent(params.id)}?notice=${result === 'changed' ? done : 'unchanged'}`);
      },
    });

  return [
    defineEndpoint<Record<string, never>, { returnTo?: string; account?: 'other' }>({
      method: 'get',
      path: '/admin/sign-in',
      summary: 'Starts OpenID Connect sign-in',
      tag: 'admin',
      auth: 'none',
      audited: false,
      middleware: [noStore],
      request: { query: z.object({ returnTo: z.string().max(2000).optional(), account: z.literal('other').optional() }).strict() },
      handler: async ({ query }, _req, res) => {
        // `account=other` (the 403 page's "Sign in as someone else"): the issuer asks who signs in again.
        const { url, pending } = await admin.signIn.start(safeReturnTo(query.returnTo), { switchAccount: query.account === 'other' });
        res.cookie(pendingCookie, await admin.sessions.sealPending(pending), adminCookieOptions(admin, pendingLifetimeSeconds));
        res.redirect(303, url);
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/admin/callback',
      summary: "The identity provider's redirect back",
      tag: 'admin',
      auth: 'none',
      audited: true,
      middleware: [parseCookies, noStore],
      // The query is the issuer's (code, state, iss, session_state, error and so on); openid-client checks it.
      handler: async (_input, req, res) => {
        const pending = await admin.sessions.openPending((req.cookies as Record<string, string>)[pendingCookie]);
        res.clearCookie(pendingCookie, adminCookieOptions(admin));
        if (!pending) throw new AdminSignInRequired('The sign-in expired or was started in another browser; please sign in again.');
        const email = await admin.signIn.finish(new URL(req.originalUrl, admin.publicUrl), pending);
        if (!admin.admission.allows(email)) {
          audit.record({ actorType: 'admin', actorId: email, action: 'admin.signed_in', outcome: 'denied', requestId: req.id });
          throw new AdminForbidden(`${email} is not allowed to use the admin console.`);
        }
        const { cookie } = await admin.sessions.issue(email);
        res.cookie(sessionCookie, cookie, adminCookieOptions(admin, admin.sessions.lifetimeSeconds));
        audit.record({ actorType: 'admin', actorId: email, action: 'admin.signed_in', outcome: 'success', requestId: req.id });
        res.redirect(303, pending.returnTo);
      },
    }),
    defineEndpoint<Record<string, never>, Record<string, never>, { _csrf: string }>({
      ...post('/admin/sign-out', 'Signs out'),
      audited: false,
      request: { body: formBody },
      handler: async (_input, req, res) => {
        // Ended on the server too: a copied cookie stops working, not only this browser's.
        await admin.sessions.end(req.admin!);
        audit.record({ actorType: 'admin', actorId: req.admin!.email, action: 'admin.signed_out', outcome: 'success', requestId: req.id });
        res.clearCookie(sessionCookie, adminCookieOptions(admin));
        res.redirect(303, '/admin/signed-out');
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/admin/signed-out',
      summary: 'Signed-out page',
      tag: 'admin',
      auth: 'none',
      audited: false,
      handler: (_input, _req, res) => {
        res.type('html').send(signedOutPage());
      },
    }),
    defineEndpoint<Record<string, never>, { status?: ConnectionStatus; app?: string; q?: string; sort?: ConnectionSortKey; dir?: 'asc' | 'desc'; page: number }>({
      ...page_('/admin', 'Connections and the review queue'),
      audited: false,
      middleware: signedIn,
      request: {
        query: z
          .object({
            status: z.enum(connectionStatuses).or(z.literal('').transform(() => undefined)).optional(),
            app: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/).or(z.literal('').transform(() => undefined)).optional(),
            q: z.string().max(200).optional(),
            sort: z.enum(connectionSortKeys).optional(),
            dir: z.enum(['asc', 'desc']).optional(),
            page,
          })
          .strict(),
      },
      handler: async ({ query }, req, res) => {
        const search = query.q?.trim() || undefined;
        const sort = query.sort ? { key: query.sort, direction: query.dir ?? 'asc' } : undefined;
        const filter = {
          page: query.page, ...(query.status ? { status: query.status } : {}), ...(query.app ? { app: query.app } : {}), ...(search ? { search } : {}), ...(sort ? { sort } : {}),
        };
        const [queue, list] = await Promise.all([admin.review.queue(), admin.review.list(filter)]);
        res.type('html').send(
          connectionsPage({
            frame: frameOf(req, clock), queue, connections: list.connections, filter, page: list.page, hasMore: list.hasMore, total: list.total, apps: deps.apps ?? [],
          }),
        );
      },
    }),
    defineEndpoint<{ id: string }, { page: number; notice?: NoticeKey; code?: string }>({
      ...page_('/admin/connections/:id', 'One connection: details, shops, problems, history, actions'),
      audited: false,
      middleware: signedIn,
      request: {
        params: idParams,
        query: z.object({ page, notice: z.enum(notices).optional(), code: z.string().max(64).optional() }).strict(),
      },
      handler: async ({ params, query }, req, res) => {
        const detail = await admin.review.detail(params.id, query.page);
        if (!detail) throw new ConnectionNotFound(params.id);
        res.type('html').send(connectionPage(detail, frameOf(req, clock), noticeFor(query.notice, query.code), deps.apps));
      },
    }),
    ...(['revoke', 'suspend'] as const).map((action) =>
      defineEndpoint<{ id: string }>({
        ...page_(`/admin/connections/:id/${action}`, `Confirm: ${action} a connection`),
        audited: false,
        middleware: signedIn,
        request: { params: idParams },
        handler: async ({ params }, req, res) => {
          const detail = await admin.review.detail(params.id, 1);
          if (!detail) throw new ConnectionNotFound(params.id);
          res.type('html').send(confirmActionPage(detail, frameOf(req, clock), action));
        },
      }),
    ),
    defineEndpoint<{ id: string }, Record<string, never>, { _csrf: string }>({
      ...post('/admin/connections/:id/refresh', 'Refresh a connection now'),
      request: { params: idParams, body: formBody },
      handler: async ({ params }, req, res) => {
        const outcome = await admin.actions.refreshNow(params.id, actorOf(req));
        const query = outcome.result === 'refreshed' ? 'notice=refreshed' : `notice=refresh_failed&code=${encodeURIComponent(outcome.code)}`;
        res.redirect(303, `/admin/connections/${encodeURIComponent(params.id)}?${query}`);
      },
    }),
    defineEndpoint<{ id: string }, Record<string, never>, { _csrf: string }>({
      ...post('/admin/connections/:id/reauthorization-link', 'A link for the merchant to re-authorize a connection'),
      request: { params: idParams, body: formBody },
      // Answered with a page, not a redirect: the link is a credential and stays out of URLs and history.
      handler: async ({ params }, req, res) => {
        const detail = await admin.review.detail(params.id, 1);
        if (!detail) throw new ConnectionNotFound(params.id);
        const link = await admin.actions.reauthorizationLink(params.id, actorOf(req));
        res.type('html').send(reauthorizationLinkPage(detail, frameOf(req, clock), link));
      },
    }),
    // Suspending and revoking need the confirm step's `confirm=yes`: one stray click cannot do either.
    statusAction('suspend', 'suspended', formBody.extend({ confirm: z.literal('yes') }).strict()),
    statusAction('resume', 'resumed'),
    statusAction('revoke', 'revoked', formBody.extend({ confirm: z.literal('yes') }).strict()),
  ];
}

function noticeFor(key: NoticeKey | undefined, code: string | undefined): Notice | undefined {
  switch (key) {
    case undefined:
      return undefined;
    case 'refreshed':
      return { tone: 'ok', text: 'Refreshed: TikTok issued a new access token.' };
    case 'refresh_failed': {
      const known = code && code in httpErrors ? httpErrors[code as ErrorCode] : undefined;
      return { tone: 'bad', text: `The refresh failed${code && known ? ` (${code})` : ''}. ${known?.hint ?? 'See the last refresh error below.'}` };
    }
    case 'suspended':
      return { tone: 'ok', text: 'Suspended: internal apps get no tokens for this connection until it is resumed.' };
    case 'resumed':
      return { tone: 'ok', text: 'Resumed: the connection gives out tokens again.' };
    case 'revoked':
      return { tone: 'ok', text: 'Revoked: the merchant must connect again to use this shop.' };
    case 'unchanged':
      return { tone: 'bad', text: 'Nothing changed: the connection is not in a state this action applies to.' };
  }
}

/**
 * The development identity provider under its mount path: this service's own e-mail form for the
 * login interaction, and oidc-provider (a Koa app, via its `callback()`) for everything else.
 * Mounted before the service's body parsers: oidc-provider reads its own request bodies.
 */
export function devIdentityProviderRouter(idp: DevIdentityProvider): Router {
  const router = express.Router();
  const email = z.object({ email: z.email().max(254) });
  const interaction = async (req: Request, res: express.Response) => {
    try {
      return await idp.interaction(req, res);
    } catch (error) {
      throw new AdminSignInRequired('This sign-in took too long or was already finished; start again at /admin.', { cause: error });
    }
  };
  router.get('/interaction/:uid', noStore, async (req, res) => {
    const { uid, loginHint } = await interaction(req, res);
    res.type('html').send(devSignInPage({ action: `${idp.mountPath}/interaction/${uid}`, ...(loginHint ? { email: loginHint } : {}) }));
  });
  router.post('/interaction/:uid', noStore, express.urlencoded({ extended: false, limit: '8kb' }), async (req, res) => {
    const { uid } = await interaction(req, res);
    const parsed = email.safeParse(req.body);
    if (!parsed.success) {
      const typed = typeof (req.body as { email?: unknown } | undefined)?.email === 'string' ? String((req.body as { email: string }).email) : '';
      res.status(400).type('html').send(devSignInPage({ action: `${idp.mountPath}/interaction/${uid}`, email: typed, error: 'Type an e-mail address, such as you@example.com.' }));
      return;
    }
    await idp.finishSignIn(req, res, parsed.data.email);
  });
  router.use((req, res) => idp.handler(req, res));
  return router;
}
