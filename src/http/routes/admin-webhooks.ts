import type { Request } from 'express';
import { z } from 'zod';
import type { AdminConsole } from '../../admin/admin-console.js';
import type { AuditLog } from '../../audit/audit-log.js';
import type { Clock } from '../../shared/clock.js';
import { ValidationFailed, WebhookSubscriptionNotFound } from '../../shared/errors.js';
import type { ReplayTarget, Subscriptions } from '../../webhooks/subscriptions.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { requireAdmin, requireCsrf } from '../middleware/admin-session.js';
import type { AdminFrame } from '../views/admin-common.js';
import { webhookPage, webhooksPage, type SubscriptionRow } from '../views/admin-webhooks.js';

/** What the admin webhook pages read and do. */
export interface AdminWebhooks {
  subscriptions: Subscriptions;
  health(): Promise<(Omit<SubscriptionRow, 'subscription'> & { subscriptionId: string })[]>;
}

const operator = { kind: 'operator' } as const;
const idParams = z.object({ id: z.string().regex(/^whsub_[0-9a-f]{24}$/, 'a subscription id') }).strict();
const noticeQuery = z.object({ notice: z.enum(['paused', 'resumed', 'replayed', 'nothing']).optional(), count: z.coerce.number().int().min(0).optional() }).strict();
const replayForm = z.object({
  _csrf: z.string(),
  target: z.enum(['dead', 'delivery', 'since']),
  deliveryId: z.string().regex(/^\d{1,18}$/).optional(),
  since: z.string().max(40).optional(),
}).strict();

const noticeWords = (notice: string | undefined, count: number | undefined) =>
  notice === 'paused' ? 'Paused: deliveries wait until you resume it.'
    : notice === 'resumed' ? 'Resumed: waiting deliveries go out now.'
      : notice === 'replayed' ? `Queued ${count ?? 0} delivery(ies) again.`
        : notice === 'nothing' ? 'Nothing to replay.' : undefined;

/**
 * `/admin/webhooks`: each subscription's health (success rate over 24 h, backlog, dead letters, last
 * error), pause and resume, and replay (one dead letter, all of them, or everything since a time).
 * Every action is a POST form with the CSRF token, audited.
 */
export function adminWebhookEndpoints(deps: { admin: AdminConsole; audit: AuditLog; clock: Clock; webhooks: AdminWebhooks }): Endpoint[] {
  const signedIn = requireAdmin(deps.admin);
  const frameOf = (req: Request): AdminFrame => ({ email: req.admin!.email, csrfToken: req.admin!.csrfToken, now: deps.clock.now() });
  const rows = async (): Promise<SubscriptionRow[]> => {
    const health = new Map((await deps.webhooks.health()).map((entry) => [entry.subscriptionId, entry]));
    return (await deps.webhooks.subscriptions.list(operator)).map((subscription) => ({
      backlog: 0, deadLetters: 0, attemptsLastDay: 0, successesLastDay: 0, lastError: null, lastErrorAt: null, ...health.get(subscription.id), subscription,
    }));
  };
  const audit = (req: Request, action: string, subscriptionId: string, detail: Record<string, unknown> = {}) =>
    deps.audit.record({ actorType: 'admin', actorId: req.admin!.email, action, outcome: 'success', requestId: req.id, detail: { subscriptionId, ...detail } });
  const post = (path: string, summary: string) => ({ method: 'post' as const, path, summary, tag: 'admin', auth: 'admin' as const, audited: true, middleware: [...signedIn, requireCsrf] });
  const statusAction = (to: 'active' | 'paused') =>
    defineEndpoint<{ id: string }, Record<string, never>, { _csrf: string }>({
      ...post(`/admin/webhooks/:id/${to === 'paused' ? 'pause' : 'resume'}`, `${to === 'paused' ? 'Pause' : 'Resume'} a webhook subscription`),
      request: { params: idParams, body: z.object({ _csrf: z.string() }).strict() },
      handler: async ({ params }, req, res) => {
        await deps.webhooks.subscriptions.update(operator, params.id, { status: to });
        audit(req, to === 'paused' ? 'webhook_subscription.paused' : 'webhook_subscription.resumed', params.id);
        res.redirect(303, `/admin/webhooks?notice=${to === 'paused' ? 'paused' : 'resumed'}`);
      },
    });

  return [
    defineEndpoint<Record<string, never>, z.infer<typeof noticeQuery>>({
      method: 'get', path: '/admin/webhooks', summary: 'Webhook subscriptions and their health', tag: 'admin', auth: 'admin', audited: false,
      middleware: signedIn, request: { query: noticeQuery },
      handler: async ({ query }, req, res) => {
        res.type('html').send(webhooksPage(frameOf(req), await rows(), noticeWords(query.notice, query.count)));
      },
    }),
    defineEndpoint<{ id: string }, z.infer<typeof noticeQuery>>({
      method: 'get', path: '/admin/webhooks/:id', summary: 'One webhook subscription: health and dead letters', tag: 'admin', auth: 'admin', audited: false,
      middleware: signedIn, request: { params: idParams, query: noticeQuery },
      handler: async ({ params, query }, req, res) => {
        const row = (await rows()).find((candidate) => candidate.subscription.id === params.id);
        if (!row) throw new WebhookSubscriptionNotFound(params.id);
        const deadLetters = (await deps.webhooks.subscriptions.deliveries(operator, params.id, { status: 'dead', limit: 200 }));
        res.type('html').send(webhookPage(frameOf(req), row, deadLetters, noticeWords(query.notice, query.count)));
      },
    }),
    statusAction('paused'),
    statusAction('active'),
    defineEndpoint<{ id: string }, Record<string, never>, z.infer<typeof replayForm>>({
      ...post('/admin/webhooks/:id/replay', 'Replay one dead letter, all dead letters, or everything since a time'),
      request: { params: idParams, body: replayForm },
      handler: async ({ params, body }, req, res) => {
        const target = replayTarget(body);
        const replayed = await deps.webhooks.subscriptions.replay(operator, params.id, target);
        audit(req, 'webhook_subscription.replayed', params.id, { target: body.target, count: replayed.length });
        res.redirect(303, `/admin/webhooks/${params.id}?notice=${replayed.length > 0 ? 'replayed' : 'nothing'}&count=${replayed.length}`);
      },
    }),
  ];
}

function replayTarget(body: z.infer<typeof replayForm>): ReplayTarget {
  if (body.target === 'dead') return { deadLetters: true };
  if (body.target === 'delivery') {
    if (!body.deliveryId) throw new ValidationFailed('Invalid body.deliveryId: which delivery to replay.');
    return { deliveryId: body.deliveryId };
  }
  // `datetime-local` sends 2026-12-01T10:00 without a zone: read as UTC, as the page says.
  const since = Date.parse(body.since && !/[zZ]|[+-]\d\d:\d\d$/.test(body.since) ? `${body.since}Z` : (body.since ?? ''));
  if (Number.isNaN(since)) throw new ValidationFailed('Invalid body.since: a time such as 2026-12-01T10:00.');
  return { since: new Date(since) };
}
