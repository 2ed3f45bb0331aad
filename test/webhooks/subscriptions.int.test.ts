import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { api, fastWebhookEnv, seedConnection, startReceiver, tiktokSends, type Receiver } from './support.js';

interface SubscriptionBody {
  id: string; secret?: string; url: string; events: string[]; shopIds: string[] | null; apps: string[] | null; status: string;
  pausedReason: string | null; failingSince: string | null; previousSecretExpiresAt: string | null; createdAt: string; updatedAt: string;
}

let service: TestService;
let receiver: Receiver;
let call: ReturnType<typeof api>;
let otherClient: ReturnType<typeof api>;
beforeAll(async () => {
  receiver = await startReceiver();
  service = await startTestService(fastWebhookEnv);
  call = api(service, (await service.core.operator.apiClients.create({ name: 'order sync', scopes: ['webhooks:manage'] })).key);
  otherClient = api(service, (await service.core.operator.apiClients.create({ name: 'another app', scopes: ['webhooks:manage'] })).key);
});
afterAll(async () => {
  await service?.stop();
  await receiver?.close();
});

describe('POST /v1/webhook-subscriptions', () => {
  it('answers 201 with the subscription and its secret (whsec_…), shown once', async () => {
    const created = await call<SubscriptionBody>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/a`, events: ['tiktok.order_status_change', 'connection.*'] });
    expect(created.status).toBe(201);
    expect(created.body).toStrictEqual({
      id: expect.stringMatching(/^whsub_[0-9a-f]{24}$/), secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/), url: `${receiver.url}/a`,
      events: ['tiktok.order_status_change', 'connection.*'], shopIds: null, apps: null, status: 'active', pausedReason: null, failingSince: null,
      previousSecretExpiresAt: null, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const read = await call<SubscriptionBody>('GET', `/v1/webhook-subscriptions/${created.body.id}`);
    expect(read.body).not.toHaveProperty('secret');
    const stored = await service.db.sql.query<{ secret_sealed: string }>('SELECT secret_sealed FROM webhook_subscriptions WHERE id = $1', [created.body.id]);
    expect(stored[0]!.secret_sealed).not.toContain(created.body.secret!.slice(6));
  });

  it.each([
    ['an unknown event type', { url: 'http://127.0.0.1:1/x', events: ['order.created'] }, 400, 'validation_failed', /^Invalid body\.events: "order\.created" is not an event type/],
    ['no events', { url: 'http://127.0.0.1:1/x', events: [] }, 400, 'validation_failed', /^Invalid body\.events/],
    ['a URL that is not one', { url: 'not a url', events: ['*'] }, 400, 'webhook_url_refused', /^"not a url" is not a URL\.$/],
    ['an unknown field', { url: 'http://127.0.0.1:1/x', events: ['*'], secret: 'mine' }, 400, 'validation_failed', /^Invalid body/],
  ])('refuses %s with a clear error', async (_case, body, status, code, message) => {
    const refused = await call<{ code: string; error: string; hint: string }>('POST', '/v1/webhook-subscriptions', body);
    expect(refused.status).toBe(status);
    expect(refused.body.code).toBe(code);
    expect(refused.body.error).toMatch(message);
    expect(refused.body.hint).toEqual(expect.any(String));
  });

  it('refuses a key without the webhooks:manage scope (403)', async () => {
    const reader = api(service, (await service.core.operator.apiClients.create({ name: 'reader', scopes: ['connections:read'] })).key);
    const refused = await reader<{ code: string }>('GET', '/v1/webhook-subscriptions');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('scope_forbidden');
  });

  it('keeps a shop-limited key to its shops', async () => {
    const limited = api(service, (await service.core.operator.apiClients.create({ name: 'one shop', scopes: ['webhooks:manage'], shopIds: ['7000000000000000001'] })).key);
    const outside = await limited<{ code: string }>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/l`, events: ['*'], shopIds: ['7000000000000000002'] });
    expect(outside.status).toBe(403);
    expect(outside.body.code).toBe('shop_forbidden');
    const inside = await limited<SubscriptionBody>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/l`, events: ['*'] });
    expect(inside.body.shopIds).toStrictEqual(['7000000000000000001']);
  });
});

describe('managing a subscription', () => {
  it("lists only the key's own, and another key cannot see, change or delete it (404)", async () => {
    const created = await call<SubscriptionBody>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/own`, events: ['*'] });
    const others = await otherClient<{ subscriptions: SubscriptionBody[] }>('GET', '/v1/webhook-subscriptions');
    expect(others.body.subscriptions.map((s) => s.id)).not.toContain(created.body.id);
    for (const [method, path, body] of [
      ['GET', `/v1/webhook-subscriptions/${created.body.id}`],
      ['PATCH', `/v1/webhook-subscriptions/${created.body.id}`, { status: 'paused' }],
      ['DELETE', `/v1/webhook-subscriptions/${created.body.id}`],
    ] as const) {
      const refused = await otherClient<{ code: string }>(method, path, body);
      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('webhook_subscription_not_found');
    }
    const mine = await call<{ subscriptions: SubscriptionBody[] }>('GET', '/v1/webhook-subscriptions');
    expect(mine.body.subscriptions.map((s) => s.id)).toContain(created.body.id);
  });

  it('pauses (deliveries wait) and resumes (they go out)', async () => {
    const { seller } = await seedConnection(service);
    const created = await call<SubscriptionBody>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/paused`, events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    const paused = await call<SubscriptionBody>('PATCH', `/v1/webhook-subscriptions/${created.body.id}`, { status: 'paused' });
    expect(paused.body).toMatchObject({ status: 'paused', pausedReason: 'Paused by its owner.' });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id });
    await service.core.webhooks.inboxWorker.drain();
    await service.core.webhooks.dispatcher.drain();
    await service.core.webhooks.deliveryWorker.drain();
    expect(receiver.at('/paused')).toStrictEqual([]);
    const resumed = await call<SubscriptionBody>('PATCH', `/v1/webhook-subscriptions/${created.body.id}`, { status: 'active' });
    expect(resumed.body).toMatchObject({ status: 'active', pausedReason: null });
    await vi.waitFor(() => expect(receiver.at('/paused')).toHaveLength(1), { timeout: 10_000 });
  });

  it('rotates the secret: for 24 h both the new and the old secret sign each push', async () => {
    const { seller } = await seedConnection(service);
    const created = await call<SubscriptionBody>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/rotated`, events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    const rotated = await call<{ id: string; secret: string; previousSecretExpiresAt: string }>('POST', `/v1/webhook-subscriptions/${created.body.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id });
    await vi.waitFor(() => expect(receiver.at('/rotated')).toHaveLength(1), { timeout: 10_000 });
    const [request] = receiver.at('/rotated');
    const headers = {
      'webhook-id': String(request!.headers['webhook-id']), 'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(rotated.body.secret).verify(request!.body, headers)).toMatchObject({ type: 'tiktok.order_status_change' });
    expect(new Webhook(created.body.secret!).verify(request!.body, headers)).toMatchObject({ type: 'tiktok.order_status_change' });
  });

  it('deletes a subscription (204), after which it is gone (404)', async () => {
    const created = await call<SubscriptionBody>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/gone`, events: ['*'] });
    expect((await call('DELETE', `/v1/webhook-subscriptions/${created.body.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/webhook-subscriptions/${created.body.id}`)).status).toBe(404);
    await service.audit.flush();
    const audit = await service.db.sql.query<{ action: string; actor_type: string }>(
      "SELECT action, actor_type FROM audit_events WHERE detail->>'subscriptionId' = $1 ORDER BY id", [created.body.id],
    );
    expect(audit).toStrictEqual([{ action: 'webhook_subscription.created', actor_type: 'api_client' }, { action: 'webhook_subscription.deleted', actor_type: 'api_client' }]);
  });
});
