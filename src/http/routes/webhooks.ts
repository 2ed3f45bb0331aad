import express from 'express';
import type { TikTokApps } from '../../tiktok/index.js';
import type { TiktokInbox } from '../../webhooks/inbox.js';
import type { Logger } from '../../shared/logger.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';

export interface WebhookDeps {
  /** Each app verifies its own deliveries, with its key and secret (#13). */
  apps: Pick<TikTokApps, 'list'>;
  inbox: Pick<TiktokInbox, 'receive'>;
  logger: Logger;
}

/** The app whose key and secret sign TikTok's deliveries to `/webhooks/tiktok`. */
const defaultApp = 'default';

/**
 * `POST /webhooks/tiktok/:app` (and `/webhooks/tiktok`, the `default` app's): TikTok's push
 * notifications for that app (#13: each Partner Center app gets its own URL), inbox first.
 * The body is read raw (mounted before the JSON parser) because the signature covers the exact bytes:
 * `Authorization` must be hex HMAC-SHA256(app secret, app key + raw body), compared in constant time.
 * A verified delivery is stored raw and answered 200 with an empty body before anything else, whatever
 * it contains (no id, unknown type or shop, not even JSON); the inbox worker processes it afterwards.
 * A bad signature gets 401 with an empty body, as TikTok expects.
 */
export function webhookEndpoints(deps: WebhookDeps): Endpoint[] {
  const apps = new Map(deps.apps.list.map((app) => [app.id, app]));
  const receive = (app: string) => async (req: express.Request, res: express.Response) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // An unknown app answers as a bad signature does: nothing to tell a caller without the secret.
    if (!apps.get(app)?.verifyWebhook(rawBody, req.get('authorization'))) {
      deps.logger.warn({ app }, 'TikTok webhook refused: the signature does not match its body');
      res.status(401).end();
      return;
    }
    await deps.inbox.receive(app, rawBody);
    res.status(200).end();
  };
  const common = {
    method: 'post' as const,
    summary: 'TikTok Shop push notifications: verified, stored raw, acknowledged, then processed and relayed to subscribers',
    tag: 'webhooks',
    auth: 'none' as const,
    // Every delivery is kept in the inbox (with its outcome); the effects it has are audited when processed.
    audited: false,
    responses: {
      200: { description: 'Stored (empty body), also for a retry of one stored before' },
      401: { description: 'The Authorization signature does not match (empty body)' },
    },
    middleware: [express.raw({ type: () => true, limit: '256kb' })],
  };
  return [
    defineEndpoint({ ...common, path: '/webhooks/tiktok', handler: (_input, req, res) => receive(defaultApp)(req, res) }),
    defineEndpoint({ ...common, path: '/webhooks/tiktok/:app', handler: (_input, req, res) => receive(String(req.params.app))(req, res) }),
  ];
}
