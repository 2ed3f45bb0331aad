import express from 'express';
import type { NotificationHandler } from '../../webhooks/tiktok-notifications.js';
import { MalformedJson, WebhookSignatureInvalid } from '../../shared/errors.js';
import { verifyWebhookSignature } from '../../tiktok/index.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';

export interface WebhookDeps {
  config: { tiktok: { appKey: string; appSecret: string } };
  notifications: NotificationHandler;
}

/**
 * `POST /webhooks/tiktok`: TikTok's push notifications. The body is read raw (this endpoint is
 * mounted before the JSON parser) because the signature covers the exact bytes: `Authorization` must
 * be hex HMAC-SHA256(app secret, app key + raw body), compared in constant time. Answers 200 with an
 * empty body, also for duplicates (`tts_notification_id`) and notifications about nothing we know.
 */
export function webhookEndpoints(deps: WebhookDeps): Endpoint[] {
  const { appKey, appSecret } = deps.config.tiktok;
  return [
    defineEndpoint({
      method: 'post',
      path: '/webhooks/tiktok',
      summary: 'TikTok Shop push notifications (seller/creator deauthorization, authorization expiring)',
      tag: 'webhooks',
      auth: 'none',
      audited: true,
      responses: {
        200: { description: 'Received (empty body)' },
        401: { description: 'The Authorization signature does not match' },
      },
      middleware: [express.raw({ type: () => true, limit: '256kb' })],
      handler: async (_input, req, res) => {
        const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (!verifyWebhookSignature({ appKey, appSecret, rawBody, authorization: req.get('authorization') })) {
          throw new WebhookSignatureInvalid('The webhook signature does not match its body.');
        }
        let body: unknown;
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch (error) {
          throw new MalformedJson('The webhook body is not valid JSON.', { cause: error });
        }
        await deps.notifications.handle(body);
        res.status(200).end();
      },
    }),
  ];
}
