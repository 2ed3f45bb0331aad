import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerTiktokWebhooks } from '../../src/apps/tiktok-webhook-registration.js';
import { eventApiTypes } from '../../src/webhooks/tiktok-types.js';
import { connectSeller } from '../apps/support.js';
import { startTestService, type TestService } from '../support/service.js';
import { api, fastWebhookEnv, startReceiver, type Receiver } from './support.js';

/** `webhooks register-tiktok` (the use case the CLI runs) against the simulator's Event API, then TikTok delivering to what was registered. */
let service: TestService;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService(fastWebhookEnv, { simulator: { webhookRetryDelaysMs: [50, 50, 50, 50] } });
});
afterAll(async () => {
  await service?.stop();
  await receiver?.close();
});

describe('registering the service at TikTok (Event API /event/202309/webhooks)', () => {
  it('sets the webhook URL for every event type on every connected shop, reports what TikTok has, and TikTok then delivers there', async () => {
    const seller = service.simulator!.control.addSeller();
    const session = await service.core.connections.createConnectSession({ merchantRef: 'merchant-reg' });
    await connectSeller(service, session.url, seller);
    const address = `${service.url}/webhooks/tiktok`;

    const results = await registerTiktokWebhooks({ shopCalls: service.core.v1.shopCalls, shopIds: seller.shops.map((shop) => shop.id), address });
    expect(results).toStrictEqual(seller.shops.map((shop) => ({
      shopId: shop.id, registered: eventApiTypes, failed: [],
      tiktokHas: eventApiTypes.map((eventType) => ({ eventType, address })),
    })));

    const key = (await service.core.operator.apiClients.create({ name: 'orders', scopes: ['webhooks:manage'] })).key;
    expect((await api(service, key)('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/registered`, events: ['tiktok.order_status_change'] })).status).toBe(201);
    const delivery = await service.simulator!.control.emitShopEvent({ shopId: seller.shops[0]!.id, eventType: 'ORDER_STATUS_CHANGE', type: 1, data: { order_id: '1' } });
    expect(delivery?.attempts).toStrictEqual([200]);
    await vi.waitFor(() => expect(receiver.at('/registered')).toHaveLength(1), { timeout: 10_000 });
    expect(await service.simulator!.control.emitShopEvent({ shopId: seller.shops[0]!.id, eventType: 'NO_SUCH_EVENT', type: 1 })).toBeUndefined();
  });
});
