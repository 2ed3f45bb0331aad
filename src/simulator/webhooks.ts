import { createHmac, randomBytes } from 'node:crypto';
import { unixSeconds, type Clock } from '../shared/clock.js';

/** 6 seller deauthorization, 7 upcoming authorization expiration, 20 creator deauthorization. */
export type WebhookType = 6 | 7 | 20;

export interface WebhookInput {
  url: string;
  type: WebhookType;
  /** For types 6 and 7: the shop `id` (not the cipher). */
  shopId?: string;
  /** For type 20. */
  creatorOpenId?: string;
  /** Replaces the default `data` of the type. */
  data?: Record<string, unknown>;
  /** For type 7: absolute unix seconds; sent as a string, as TikTok does. */
  expirationTime?: number;
  notificationId?: string;
}

export interface WebhookDelivery {
  payload: Record<string, unknown>;
  rawBody: string;
  signature: string;
  /** The receiver's HTTP status, or undefined when the request failed. */
  status: number | undefined;
  error?: string;
}

/** TikTok's webhook signature: hex HMAC-SHA256 keyed with the app secret over `app_key + raw body`. */
export function webhookSignature(appKey: string, appSecret: string, rawBody: string): string {
  return createHmac('sha256', appSecret).update(appKey + rawBody, 'utf8').digest('hex');
}

export function webhookPayload(input: WebhookInput, clock: Clock): Record<string, unknown> {
  const now = unixSeconds(clock.now());
  const base = { type: input.type, tts_notification_id: input.notificationId ?? randomBytes(10).toString('hex') };
  if (input.type === 20) {
    return { ...base, creator_open_id: input.creatorOpenId ?? '', timestamp: now, data: input.data ?? { cancel_time: now } };
  }
  const shopId = input.shopId ?? '';
  const data =
    input.data ??
    (input.type === 6
      ? { message: `Shop_id ${shopId} is deauthorized from your APP by merchant.` }
      : { message: 'The authorization of your app will expire soon.', expiration_time: String(input.expirationTime ?? now + 30 * 86_400) });
  return { ...base, shop_id: shopId, timestamp: now, data };
}

interface SendDeps {
  appKey: string;
  appSecret: string;
  clock: Clock;
  fetch: typeof fetch;
}

/** POSTs one signed webhook; TikTok waits 3 s for the answer. No retries are simulated. */
export async function sendWebhook(deps: SendDeps, input: WebhookInput): Promise<WebhookDelivery> {
  const payload = webhookPayload(input, deps.clock);
  const rawBody = JSON.stringify(payload);
  const signature = webhookSignature(deps.appKey, deps.appSecret, rawBody);
  try {
    const response = await deps.fetch(input.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: signature },
      body: rawBody,
      signal: AbortSignal.timeout(3_000),
    });
    await response.arrayBuffer();
    return { payload, rawBody, signature, status: response.status };
  } catch (error) {
    return { payload, rawBody, signature, status: undefined, error: error instanceof Error ? error.message : String(error) };
  }
}
