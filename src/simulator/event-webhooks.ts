import { tiktokErrors } from './envelope.js';
import type { Handler } from './open-api-routes.js';
import type { SimulatorState } from './state.js';

/**
 * TikTok's Event API for one shop (`/event/202309/webhooks`): Get Shop Webhooks lists the address of
 * each event type, Update Shop Webhook sets one (`{ address, event_type }`), Delete Shop Webhook
 * removes one (`{ event_type }`). The simulator then delivers a shop's events to those addresses.
 */
export function eventWebhookHandlers(state: SimulatorState): Record<'getShopWebhooks' | 'updateShopWebhook' | 'deleteShopWebhook', Handler> {
  const of = (shopId: string) => {
    let hooks = state.shopWebhooks.get(shopId);
    if (!hooks) state.shopWebhooks.set(shopId, (hooks = new Map()));
    return hooks;
  };
  return {
    getShopWebhooks: ({ shop }) => {
      const webhooks = [...of(shop!.id).entries()].map(([eventType, hook]) => ({
        event_type: eventType, address: hook.address, create_time: hook.createTime, update_time: hook.updateTime,
      }));
      return { data: { shop_id: shop!.id, webhooks, total_count: webhooks.length } };
    },
    updateShopWebhook: ({ shop, rawBody }, now) => {
      const body = jsonObject(rawBody);
      const address = body?.address;
      const eventType = body?.event_type;
      if (typeof address !== 'string' || !/^https?:\/\//.test(address) || typeof eventType !== 'string' || !/^[A-Z_]+$/.test(eventType)) {
        return { error: { ...tiktokErrors.invalidBody, message: 'address (an http(s) URL) and event_type are required.' } };
      }
      const hooks = of(shop!.id);
      hooks.set(eventType, { address, createTime: hooks.get(eventType)?.createTime ?? now, updateTime: now });
      return { data: {} };
    },
    deleteShopWebhook: ({ shop, rawBody }) => {
      const eventType = jsonObject(rawBody)?.event_type;
      if (typeof eventType !== 'string') return { error: { ...tiktokErrors.invalidBody, message: 'event_type is required.' } };
      of(shop!.id).delete(eventType);
      return { data: {} };
    },
  };
}

function jsonObject(rawBody: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = rawBody === undefined ? undefined : JSON.parse(rawBody);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
