import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature TikTok puts in a webhook's `Authorization` header: lowercase hex
 * HMAC-SHA256(key = app secret, message = app key bytes + raw body bytes).
 *
 * @example
 * webhookSignature('fake_app_key', 'fake_app_secret', rawBody)
 * // '21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27' for EcomPHP's sample body
 */
export function webhookSignature(appKey: string, appSecret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', appSecret)
    .update(Buffer.from(appKey, 'utf8'))
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest('hex');
}

export interface WebhookVerifyInput {
  appKey: string;
  appSecret: string;
  /** The body exactly as received, before any JSON parsing. */
  rawBody: Buffer;
  /** The `Authorization` header: the bare hex digest, no scheme. */
  authorization: string | undefined;
}

/**
 * Checks a webhook's `Authorization` header against the raw body in constant time. A missing or
 * malformed header is `false`; so is a digest of the wrong length.
 *
 * @example
 * verifyWebhookSignature({ appKey, appSecret, rawBody: req.body, authorization: req.get('authorization') }) // true | false
 */
export function verifyWebhookSignature(input: WebhookVerifyInput): boolean {
  const expected = Buffer.from(webhookSignature(input.appKey, input.appSecret, input.rawBody), 'hex');
  const header = input.authorization?.trim() ?? '';
  if (!/^[0-9a-fA-F]{64}$/.test(header)) return false;
  return timingSafeEqual(expected, Buffer.from(header, 'hex'));
}
