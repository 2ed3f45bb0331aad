import type { Request } from 'express';
import { z } from 'zod';
import type { AdminConsole } from '../../admin/admin-console.js';
import { apiScopes } from '../../apps/scopes.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Clock } from '../../shared/clock.js';
import { RouteNotFound } from '../../shared/errors.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { requireAdmin, requireCsrf } from '../middleware/admin-session.js';
import { apiClientCreatedPage, apiClientsPage, copyScript, revokeClientPage, type ClientForm } from '../views/admin-api-clients.js';
import type { AdminFrame } from '../views/admin-common.js';
import type { AppLabel } from '../views/admin-connections.js';

const idParams = z.object({ id: z.string().min(1).max(100) }).strict();
const createBody = z
  .object({
    _csrf: z.string(),
    name: z.string().max(200).default(''),
    scopes: z.union([z.string(), z.array(z.string())]).optional(),
    shopIds: z.string().max(5000).default(''),
    apps: z.union([z.string().max(100), z.array(z.string().max(100)).max(100)]).optional(),
    rateLimitPerMinute: z.string().max(20).default(''),
  })
  .strict();
type CreateBody = z.infer<typeof createBody>;

function frameOf(req: Request, clock: Clock): AdminFrame {
  return { email: req.admin!.email, csrfToken: req.admin!.csrfToken, now: clock.now() };
}

/** The form as sent, with what is wrong in each field (empty errors: it can be created). */
function checkForm(body: CreateBody, apps: readonly AppLabel[]): ClientForm {
  const scopes = body.scopes === undefined ? [] : [body.scopes].flat();
  const chosenApps = body.apps === undefined ? [] : [body.apps].flat();
  const form: ClientForm = { name: body.name.trim(), scopes, shopIds: body.shopIds, apps: chosenApps, rateLimitPerMinute: body.rateLimitPerMinute.trim(), errors: {} };
  if (form.name === '') form.errors.name = 'Give the client a name, such as the app that will use it.';
  if (scopes.length === 0) form.errors.scopes = 'Choose at least one scope: a key with none could do nothing.';
  else if (scopes.some((scope) => !(apiScopes as readonly string[]).includes(scope))) form.errors.scopes = 'Choose scopes from the list.';
  if (chosenApps.some((app) => !apps.some((known) => known.id === app))) form.errors.apps = 'Choose apps from the list (none: every app).';
  if (form.rateLimitPerMinute !== '' && !/^[1-9]\d{0,6}$/.test(form.rateLimitPerMinute)) form.errors.rateLimitPerMinute = 'A positive whole number, or empty for the default.';
  return form;
}

/** `/admin/api-clients`: internal apps' keys, created, listed and revoked from the console (audited). */
export function adminApiClientEndpoints(deps: {
  admin: AdminConsole; audit: AuditLog; clock: Clock;
  /** The configured TikTok Shop apps: with several, a key can be limited to some of them (#13). */
  apps?: readonly AppLabel[];
}): Endpoint[] {
  const { admin, audit, clock } = deps;
  const apps = deps.apps ?? [];
  const signedIn = requireAdmin(admin);
  const base = { tag: 'admin', auth: 'admin' as const };
  const findClient = async (id: string) => {
    const client = (await admin.apiClients.list()).find((candidate) => candidate.id === id);
    if (!client) throw new RouteNotFound(`No API client ${id}.`);
    return client;
  };
  return [
    defineEndpoint({
      ...base,
      method: 'get',
      path: '/admin/api-clients',
      summary: 'API clients: list and create form',
      audited: false,
      middleware: signedIn,
      handler: async (_input, req, res) => {
        res.type('html').send(apiClientsPage(await admin.apiClients.list(), frameOf(req, clock), apps));
      },
    }),
    defineEndpoint<Record<string, never>, Record<string, never>, CreateBody>({
      ...base,
      method: 'post',
      path: '/admin/api-clients',
      summary: 'Creates an API client; its key is shown once',
      audited: true,
      middleware: [...signedIn, requireCsrf],
      request: { body: createBody },
      // Answered with a page, not a redirect: the key is a credential and stays out of URLs and history.
      handler: async ({ body }, req, res) => {
        const form = checkForm(body, apps);
        if (Object.keys(form.errors).length > 0) {
          res.status(400).type('html').send(apiClientsPage(await admin.apiClients.list(), frameOf(req, clock), apps, form));
          return;
        }
        const shopIds = form.shopIds.split(',').map((id) => id.trim()).filter(Boolean);
        const created = await admin.apiClients.create({
          name: form.name, scopes: form.scopes, shopIds, apps: form.apps,
          ...(form.rateLimitPerMinute ? { rateLimitPerMinute: Number(form.rateLimitPerMinute) } : {}),
        });
        audit.record({
          actorType: 'admin', actorId: req.admin!.email, action: 'api_client.created', outcome: 'success', requestId: req.id,
          detail: { apiClientId: created.id, name: created.name, scopes: created.scopes, shopIds: created.shopIds, apps: created.apps },
        });
        res.status(201).type('html').send(apiClientCreatedPage(created, frameOf(req, clock)));
      },
    }),
    defineEndpoint<{ id: string }>({
      ...base,
      method: 'get',
      path: '/admin/api-clients/:id/revoke',
      summary: 'Confirm revoking an API client',
      audited: false,
      middleware: signedIn,
      request: { params: idParams },
      handler: async ({ params }, req, res) => {
        res.type('html').send(revokeClientPage(await findClient(params.id), frameOf(req, clock)));
      },
    }),
    defineEndpoint<{ id: string }, Record<string, never>, { _csrf: string; confirm: 'yes' }>({
      ...base,
      method: 'post',
      path: '/admin/api-clients/:id/revoke',
      summary: "Revokes an API client's key",
      audited: true,
      middleware: [...signedIn, requireCsrf],
      request: { params: idParams, body: z.object({ _csrf: z.string(), confirm: z.literal('yes') }).strict() },
      handler: async ({ params }, req, res) => {
        const client = await findClient(params.id);
        await admin.apiClients.revoke(client.id);
        audit.record({
          actorType: 'admin', actorId: req.admin!.email, action: 'api_client.revoked', outcome: 'success', requestId: req.id,
          detail: { apiClientId: client.id, name: client.name },
        });
        res.type('html').send(apiClientsPage(await admin.apiClients.list(), frameOf(req, clock), apps, undefined, `Revoked ${client.name}: its key stops working within 5 seconds.`));
      },
    }),
    defineEndpoint({
      ...base,
      auth: 'none',
      method: 'get',
      path: '/admin/assets/copy.js',
      summary: "The console's copy button",
      audited: false,
      handler: (_input, _req, res) => {
        res.set('Cache-Control', 'public, max-age=3600').type('text/javascript').send(copyScript);
      },
    }),
  ];
}
