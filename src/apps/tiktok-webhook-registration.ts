import { randomUUID } from 'node:crypto';
import { isServiceError } from '../shared/errors.js';
import { eventApiTypes } from '../webhooks/tiktok-types.js';
import type { ShopCalls } from './shop-calls.js';

/** What TikTok has for one shop after registering, and what failed. */
export interface ShopRegistration {
  shopId: string;
  registered: string[];
  failed: { eventType: string; error: string }[];
  /** Get Shop Webhooks after the updates: TikTok's own list. */
  tiktokHas: { eventType: string; address: string }[];
  /** Set when the shop could not be reached at all (e.g. the connection needs re-authorization). */
  error?: string;
}

const path = '/event/202309/webhooks';

/**
 * `webhooks register-tiktok`: sets this service's webhook URL for every event type of TikTok's Event
 * API on each connected shop (`PUT /event/202309/webhooks`, signed with the shop's token through the
 * proxy use case), then reads back what TikTok has (`GET`). One shop failing does not stop the others.
 */
export async function registerTiktokWebhooks(deps: {
  shopCalls: Pick<ShopCalls, 'proxy'>;
  shopIds: string[];
  address: string;
}): Promise<ShopRegistration[]> {
  const context = { clientId: 'operator', requestId: `register-tiktok-${randomUUID()}` };
  const results: ShopRegistration[] = [];
  for (const shopId of deps.shopIds) {
    const result: ShopRegistration = { shopId, registered: [], failed: [], tiktokHas: [] };
    try {
      for (const eventType of eventApiTypes) {
        const answer = await deps.shopCalls.proxy(context, shopId, { method: 'PUT', path, body: { address: deps.address, event_type: eventType } });
        const failure = tiktokFailure(answer.status, answer.text);
        if (failure) result.failed.push({ eventType, error: failure });
        else result.registered.push(eventType);
      }
      const listed = await deps.shopCalls.proxy(context, shopId, { method: 'GET', path });
      const data = (JSON.parse(listed.text) as { data?: { webhooks?: { event_type: string; address: string }[] } }).data;
      result.tiktokHas = (data?.webhooks ?? []).map((hook) => ({ eventType: hook.event_type, address: hook.address }));
    } catch (error) {
      result.error = isServiceError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    }
    results.push(result);
  }
  return results;
}

function tiktokFailure(status: number, text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { code?: number; message?: string };
    if (status === 200 && body.code === 0) return undefined;
    return `HTTP ${status}, TikTok code ${body.code ?? '?'}: ${body.message ?? ''}`.trim();
  } catch {
    return `HTTP ${status}: not JSON`;
  }
}
