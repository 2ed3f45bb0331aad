import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { api, fastWebhookEnv, seedConnection, startReceiver, tiktokSends, type Receiver } from './support.js';

interface Pushed {
  id: string;
  type: string;
  connectionId: string | null;
  payload: Record<string, unknown> & { body?: Record<string, unknown> };
  createdAt: string;
}
interface SubscriptionBody { id: string; secret: string; status: string }
interface DeliveryBody { id: string; eventId: string; status: string; attempts: number; attemptLog: { statusCode: number | null; outcome: string }[] }

let service: TestService;
let receiver: Receiver;
let call: ReturnType<typeof api>;
beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService(fastWebhookEnv);
  const client = await service.core.operator.apiClients.create({ name: 'order sync', scopes: ['webhooks:manage', 'connections:read'] });
  call = api(service, client.key);
});
afterAll(async () => {
  await service?.stop();
  await receiver?.close();
});

async function subscribe(path: string, body: Record<string, unknown>): Promise<SubscriptionBody> {
  const created = await call<SubscriptionBody>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}${path}`, ...body });
  expect(created.status).toBe(201);
  return created.body;
}

const pushed = (path: string) => receiver.at(path).map((request) => JSON.parse(request.body) as Pushed);

describe('a TikTok order webhook, relayed to subscribers', () => {
  it('reaches the subscriber of that shop, signed per Standard Webhooks, and not the subscriber of another shop', async () => {
    const { id: connectionId, seller } = await seedConnection(service);
    const other = await seedConnection(service);
    const shopId = seller.shops[0]!.id;
    const mine = await subscribe('/orders', { events: ['tiktok.order_status_change'], shopIds: [shopId] });
    await subscribe('/other-shop', { events: ['tiktok.*'], shopIds: [other.seller.shops[0]!.id] });

    await tiktokSends(service, { type: 1, shopId, notificationId: 'order-1', data: { order_id: '576684019603311365', order_status: 'AWAITING_SHIPMENT' } });
    await vi.waitFor(() => expect(receiver.at('/orders')).toHaveLength(1), { timeout: 10_000 });

    const [request] = receiver.at('/orders');
    const verified = new Webhook(mine.secret).verify(request!.body, {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    }) as Pushed;
    expect(verified).toStrictEqual({
      id: request!.headers['webhook-id'],
      type: 'tiktok.order_status_change',
      connectionId,
      app: 'default',
      payload: {
        app: 'default', tiktokType: 1, notificationId: 'order-1', shopId, connectionId, receivedAt: expect.any(String),
        body: { type: 1, tts_notification_id: 'order-1', shop_id: shopId, timestamp: expect.any(Number), data: { order_id: '576684019603311365', order_status: 'AWAITING_SHIPMENT' } },
      },
      createdAt: expect.any(String),
    });
    expect(() => new Webhook(mine.secret).verify(`${request!.body} `, {
      'webhook-id': String(request!.headers['webhook-id']), 'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    })).toThrow();

    // The same object, with the same id, in the pull feed.
    const feed = await call<{ events: Pushed[] }>('GET', '/v1/events?limit=500');
    expect(feed.body.events.find((event) => event.id === verified.id)).toStrictEqual(verified);

    await service.core.webhooks.deliveryWorker.drain();
    expect(receiver.at('/other-shop')).toStrictEqual([]);
  });
});

describe('retries', () => {
  it('retries 500, 500 and 429 (Retry-After: 1), then delivers once, and only then the next event of the same connection', async () => {
    const { seller } = await seedConnection(service);
    const shopId = seller.shops[0]!.id;
    const subscription = await subscribe('/flaky', { events: ['tiktok.*'], shopIds: [shopId] });
    receiver.script('/flaky', [{ status: 500 }, { status: 500 }, { status: 429, headers: { 'retry-after': '1' } }]);

    await tiktokSends(service, { type: 1, shopId, notificationId: 'first-of-connection' });
    await tiktokSends(service, { type: 4, shopId, notificationId: 'second-of-connection' });
    await vi.waitFor(() => expect(receiver.at('/flaky')).toHaveLength(5), { timeout: 15_000 });

    const requests = pushed('/flaky').map((event) => event.payload.notificationId);
    expect(requests).toStrictEqual(['first-of-connection', 'first-of-connection', 'first-of-connection', 'first-of-connection', 'second-of-connection']);
    expect(receiver.at('/flaky').map((request) => request.status)).toStrictEqual([500, 500, 429, 200, 200]);
    // The 429 asked for a second: the fourth attempt came no sooner.
    const times = receiver.at('/flaky').map((request) => Number(request.headers['webhook-timestamp']));
    expect(times[3]! - times[2]!).toBeGreaterThanOrEqual(1);

    // The receiver has answered the last attempt; the service records its outcome just after.
    await vi.waitFor(async () => {
      const deliveries = await call<{ deliveries: DeliveryBody[] }>('GET', `/v1/webhook-subscriptions/${subscription.id}/deliveries`);
      expect(deliveries.status).toBe(200);
      const [second, first] = deliveries.body.deliveries;
      expect(first).toMatchObject({ status: 'delivered', attempts: 4 });
      expect(first!.attemptLog.map((attempt) => [attempt.statusCode, attempt.outcome])).toStrictEqual([[500, 'retry'], [500, 'retry'], [429, 'retry'], [200, 'delivered']]);
      expect(second).toMatchObject({ status: 'delivered', attempts: 1 });
    }, { timeout: 10_000 });
  });

  it('does not retry a 400: the delivery is a dead letter at once', async () => {
    const { seller } = await seedConnection(service);
    const subscription = await subscribe('/refuses', { events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    receiver.always('/refuses', { status: 400 });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id });
    await vi.waitFor(async () => {
      const deliveries = await call<{ deliveries: DeliveryBody[] }>('GET', `/v1/webhook-subscriptions/${subscription.id}/deliveries`);
      expect(deliveries.body.deliveries).toMatchObject([{ status: 'dead', attempts: 1 }]);
    }, { timeout: 10_000 });
    expect(receiver.at('/refuses')).toHaveLength(1);
  });
});

describe('dead letters and replay', () => {
  it('dead-letters an event once the receiver has been down for every attempt, and a replay delivers it', async () => {
    const { seller } = await seedConnection(service);
    const subscription = await subscribe('/down', { events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    receiver.always('/down', { status: 503 });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id, notificationId: 'lost-while-down' });

    const deadLetters = async () => (await call<{ deliveries: DeliveryBody[] }>('GET', `/v1/webhook-subscriptions/${subscription.id}/deliveries?status=dead`)).body.deliveries;
    await vi.waitFor(async () => expect(await deadLetters()).toMatchObject([{ status: 'dead', attempts: 4 }]), { timeout: 15_000 });
    expect(receiver.at('/down')).toHaveLength(4);

    receiver.always('/down', undefined);
    const replay = await call<{ replayed: string[] }>('POST', `/v1/webhook-subscriptions/${subscription.id}/replay`, { deadLetters: true });
    expect(replay.status).toBe(202);
    expect(replay.body.replayed).toHaveLength(1);
    await vi.waitFor(() => expect(receiver.at('/down')).toHaveLength(5), { timeout: 10_000 });
    expect(receiver.at('/down')[4]!.status).toBe(200);
    expect(pushed('/down')[4]!.payload.notificationId).toBe('lost-while-down');
    // Replayed once: asking again finds no dead letter left to replay.
    expect((await call<{ replayed: string[] }>('POST', `/v1/webhook-subscriptions/${subscription.id}/replay`, { deadLetters: true })).body.replayed).toStrictEqual([]);
  });

  it('replays one delivery, and everything since a time', async () => {
    const { seller } = await seedConnection(service);
    const subscription = await subscribe('/replays', { events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    const since = new Date().toISOString();
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id, notificationId: 'r-1' });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id, notificationId: 'r-2' });
    await vi.waitFor(() => expect(receiver.at('/replays')).toHaveLength(2), { timeout: 10_000 });
    const deliveries = (await call<{ deliveries: DeliveryBody[] }>('GET', `/v1/webhook-subscriptions/${subscription.id}/deliveries`)).body.deliveries;

    expect((await call('POST', `/v1/webhook-subscriptions/${subscription.id}/replay`, { deliveryId: deliveries[1]!.id })).status).toBe(202);
    await vi.waitFor(() => expect(receiver.at('/replays')).toHaveLength(3), { timeout: 10_000 });
    expect(pushed('/replays')[2]!.payload.notificationId).toBe('r-1');

    expect((await call<{ replayed: string[] }>('POST', `/v1/webhook-subscriptions/${subscription.id}/replay`, { since })).body.replayed).toHaveLength(2);
    await vi.waitFor(() => expect(receiver.at('/replays')).toHaveLength(5), { timeout: 10_000 });
    expect(pushed('/replays').slice(3).map((event) => event.payload.notificationId)).toStrictEqual(['r-1', 'r-2']);
    const missing = await call('POST', `/v1/webhook-subscriptions/${subscription.id}/replay`, { deliveryId: '999999999' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'webhook_delivery_not_found' });
  });
});

describe('connection events', () => {
  it('pushes connection.deauthorized to a connection.* subscriber, the same event as GET /v1/events', async () => {
    const { id, seller } = await seedConnection(service);
    await subscribe('/connections', { events: ['connection.*'], shopIds: [seller.shops[0]!.id] });
    await tiktokSends(service, { type: 6, shopId: seller.shops[0]!.id });
    await vi.waitFor(() => expect(receiver.at('/connections')).toHaveLength(1), { timeout: 10_000 });
    const [event] = pushed('/connections');
    expect(event).toMatchObject({ type: 'connection.deauthorized', connectionId: id, payload: { status: 'needs_reauth', by: 'seller', webhookType: 6 } });
    const feed = await call<{ events: Pushed[] }>('GET', '/v1/events?limit=500');
    expect(feed.body.events.find((candidate) => candidate.id === event!.id)).toStrictEqual(event);
  });
});
