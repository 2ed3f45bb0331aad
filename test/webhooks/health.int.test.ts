import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { api, seedConnection, startReceiver, tiktokSends, type Receiver } from './support.js';

/** A subscription failing for too long is paused; old deliveries and receipts are purged. */
let service: TestService;
let receiver: Receiver;
let call: ReturnType<typeof api>;
beforeAll(async () => {
  receiver = await startReceiver();
  // Failing for 0.36 s pauses; the third attempt comes 0.4 s after the first.
  service = await startTestService({ WEBHOOK_POLL_INTERVAL_MS: '20', WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.2,0.2,0.2,0.2', WEBHOOK_AUTO_PAUSE_HOURS: '0.0001' });
  call = api(service, (await service.core.operator.apiClients.create({ name: 'sync', scopes: ['webhooks:manage'] })).key);
});
afterAll(async () => {
  await service?.stop();
  await receiver?.close();
});

describe('a subscription whose receiver keeps failing', () => {
  it('is paused automatically, with the reason, and its delivery waits (not dead) until it is resumed', async () => {
    const { seller } = await seedConnection(service);
    const created = await call<{ id: string }>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/failing`, events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    receiver.always('/failing', { status: 502 });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id });

    await vi.waitFor(async () => {
      const read = await call<{ status: string; pausedReason: string; failingSince: string | null }>('GET', `/v1/webhook-subscriptions/${created.body.id}`);
      expect(read.body).toMatchObject({ status: 'paused', pausedReason: 'Paused automatically: every attempt failed for longer than WEBHOOK_AUTO_PAUSE_HOURS (last: HTTP 502).', failingSince: expect.any(String) });
    }, { timeout: 10_000 });
    const attemptsWhenPaused = receiver.at('/failing').length;
    // About 3 (0.36 s of failing, attempts 0.2 s apart), fewer when attempts are slow (a loaded machine).
    expect(attemptsWhenPaused).toBeGreaterThanOrEqual(2);
    await service.core.webhooks.deliveryWorker.drain();
    expect(receiver.at('/failing')).toHaveLength(attemptsWhenPaused);
    const health = (await service.core.webhooks.health()).find((entry) => entry.subscriptionId === created.body.id);
    expect(health).toMatchObject({ backlog: 1, deadLetters: 0, attemptsLastDay: attemptsWhenPaused, successesLastDay: 0, lastError: 'HTTP 502' });

    receiver.always('/failing', undefined);
    await call('PATCH', `/v1/webhook-subscriptions/${created.body.id}`, { status: 'active' });
    await vi.waitFor(() => expect(receiver.at('/failing')).toHaveLength(attemptsWhenPaused + 1), { timeout: 10_000 });
    await vi.waitFor(async () => {
      const read = await call<{ status: string; failingSince: string | null }>('GET', `/v1/webhook-subscriptions/${created.body.id}`);
      expect(read.body).toMatchObject({ status: 'active', failingSince: null });
    });
  });
});

describe('retention (WEBHOOK_RETENTION_DAYS, through the one retention worker)', () => {
  it('purges finished deliveries (with their attempts) and processed receipts older than the period, and keeps the rest', async () => {
    const { seller } = await seedConnection(service);
    const created = await call<{ id: string }>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/kept`, events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id, notificationId: 'old' });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id, notificationId: 'recent' });
    await vi.waitFor(() => expect(receiver.at('/kept')).toHaveLength(2), { timeout: 10_000 });
    await vi.waitFor(async () => expect(await service.db.sql.query("SELECT id FROM webhook_deliveries WHERE subscription_id = $1 AND status = 'delivered'", [created.body.id])).toHaveLength(2));
    const [old] = await service.db.sql.query<{ id: string }>('SELECT min(id)::text AS id FROM webhook_deliveries WHERE subscription_id = $1', [created.body.id]);
    await service.db.sql.query("UPDATE webhook_deliveries SET finished_at = now() - interval '31 days' WHERE id = $1::bigint", [old!.id]);
    await service.db.sql.query("UPDATE tiktok_webhook_inbox SET received_at = now() - interval '31 days' WHERE dedup_key = 'id:old'");

    const purged = await service.core.webhooks.purge();
    expect(purged).toStrictEqual({ deliveries: 1, receipts: 1, skipped: false });
    expect(await service.db.sql.query('SELECT id FROM webhook_attempts WHERE delivery_id = $1::bigint', [old!.id])).toStrictEqual([]);
    expect(await service.db.sql.query('SELECT id FROM webhook_deliveries WHERE subscription_id = $1', [created.body.id])).toHaveLength(1);
    expect(await service.db.sql.query("SELECT id FROM tiktok_webhook_inbox WHERE dedup_key = 'id:recent'")).toHaveLength(1);
  });
});
