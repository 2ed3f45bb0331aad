import { createHmac, randomBytes } from 'node:crypto';
import { unixSeconds, type Clock } from '../shared/clock.js';

/**
 * TikTok's webhook type: 6 seller deauthorization, 7 upcoming authorization expiration and 20 creator
 * deauthorization get their documented bodies; any other (1 order status change, 3 address update…)
 * carries `shop_id` and the `data` given.
 */
export type WebhookType = number;

/** TikTok retries a delivery not acknowledged with 200 at +2 min, +30 min, +3 h and +12 h (docv2 650512b42f024f02be19755f). */
export const tiktokWebhookRetryDelaysMs = [2 * 60_000, 30 * 60_000, 3 * 3_600_000, 12 * 3_600_000];

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
  /** Sends no `tts_notification_id` (TikTok's own examples of types 3, 6 and 7 have none). */
  omitNotificationId?: boolean;
  /** Sends this exact body instead (e.g. ids as bare numbers past 2^53); signed as it is. */
  rawBody?: string;
  /** Retries until acknowledged with 200, as TikTok does (waits compressed by the simulator's `webhookRetryDelaysMs`). */
  retry?: boolean;
}

export interface WebhookDelivery {
  payload: Record<string, unknown>;
  rawBody: string;
  signature: string;
  /** The receiver's HTTP status, or undefined when the request failed. */
  status: number | undefined;
  error?: string;
  /** With `retry`: the status of every attempt (undefined: no answer), the first included. */
  attempts?: (number | undefined)[];
}

/** TikTok's webhook signature: hex HMAC-SHA256 keyed with the app secret over `app_key + raw body`. */
export function webhookSignature(appKey: string, appSecret: string, rawBody: string): string {
  return createHmac('sha256', appSecret).update(appKey + rawBody, 'utf8').digest('hex');
}

export function webhookPayload(input: WebhookInput, clock: Clock): Record<string, unknown> {
  const now = unixSeconds(clock.now());
  const base = { type: input.type, ...(input.omitNotificationId ? {} : { tts_notification_id: input.notificationId ?? randomBytes(10).toString('hex') }) };
  if (input.type === 20) {
    return { ...base, creator_open_id: input.creatorOpenId ?? '', timestamp: now, data: input.data ?? { cancel_time: now } };
  }
  const shopId = input.shopId ?? '';
  const data =
    input.data ??
    (input.type !== 6 && input.type !== 7 ? {} : input.type === 6
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

/**
 * POSTs one signed webhook; TikTok waits 3 s for the answer. With `retry`, a delivery not answered
 * 200 is sent again, byte for byte, after each of `retryDelaysMs` until one is.
 */
export async function sendWebhook(deps: SendDeps & { retryDelaysMs?: readonly number[] }, input: WebhookInput): Promise<WebhookDelivery> {
  const payload = input.rawBody === undefined ? webhookPayload(input, deps.clock) : {};
  const rawBody = input.rawBody ?? JSON.stringify(payload);
  const first = await post(deps, input.url, payload, rawBody);
  if (!input.retry) return first;
  const attempts = [first.status];
  let last = first;
  for (const delay of deps.retryDelaysMs ?? tiktokWebhookRetryDelaysMs) {
    if (last.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
    last = await post(deps, input.url, payload, rawBody);
    attempts.push(last.status);
  }
  return { ...last, attempts };
}

async function post(deps: SendDeps, url: string, payload: Record<string, unknown>, rawBody: string): Promise<WebhookDelivery> {
  const input = { url };
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
