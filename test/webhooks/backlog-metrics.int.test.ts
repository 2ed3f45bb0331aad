import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestService, type TestService } from '../support/service.js';
import { api, fastWebhookEnv, seedConnection, startReceiver, tiktokSends, type Receiver } from './support.js';

/** Issue #17: the delivery backlog as Prometheus sees it, read from the database when /metrics is scraped. */
describe('GET /metrics: webhook delivery backlog', () => {
  let service: TestService;
  let receiver: Receiver;
  let call: ReturnType<typeof api>;
  beforeAll(async () => {
    receiver = await startReceiver();
    service = await startTestService(fastWebhookEnv);
    call = api(service, (await service.core.operator.apiClients.create({ name: 'sync', scopes: ['webhooks:manage'] })).key);
  });
  afterAll(async () => {
    await service?.stop();
    await receiver?.close();
  });

  const scrape = async () => {
    const response = await service.request('/metrics');
    expect(response.status).toBe(200);
    return response.text();
  };
  const gauge = (text: string, series: string) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const pending = 'connect_webhook_deliveries{status="pending"}';
  const dead = 'connect_webhook_deliveries{status="dead"}';
  const oldest = 'connect_webhook_oldest_pending_delivery_age_seconds';

  it('reads zero with no deliveries', async () => {
    const text = await scrape();
    expect([gauge(text, pending), gauge(text, dead), gauge(text, oldest)]).toStrictEqual([0, 0, 0]);
    expect(text).toContain('# TYPE connect_webhook_deliveries gauge');
  });

  it('counts pending deliveries, ages only those of active subscriptions, and counts dead letters until replayed', async () => {
    const { seller } = await seedConnection(service);
    const shopId = seller.shops[0]!.id;
    const created = await call<{ id: string }>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/backlog`, events: ['tiktok.*'], shopIds: [shopId] });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // Paused: the delivery waits, counted, but its age is its owner's choice, not a backlog.
    expect((await call('PATCH', `/v1/webhook-subscriptions/${id}`, { status: 'paused' })).status).toBe(200);
    await tiktokSends(service, { type: 1, shopId });
    await vi.waitFor(async () => expect(gauge(await scrape(), pending)).toBe(1), { timeout: 10_000 });
    await service.db.sql.query("UPDATE webhook_deliveries SET created_at = now() - interval '2 hours' WHERE subscription_id = $1", [id]);
    expect(gauge(await scrape(), oldest)).toBe(0);

    // Active, with a receiver that answers slowly: the delivery is pending while it is being sent, two hours old.
    receiver.always('/backlog', { status: 500, delayMs: 3000 });
    expect((await call('PATCH', `/v1/webhook-subscriptions/${id}`, { status: 'active' })).status).toBe(200);
    await vi.waitFor(() => expect(receiver.at('/backlog')).toHaveLength(1), { timeout: 10_000 });
    const during = await scrape();
    expect(gauge(during, pending)).toBe(1);
    expect(gauge(during, oldest)).toBeGreaterThanOrEqual(7200);

    // Every attempt fails: a dead letter, nothing pending any more.
    receiver.always('/backlog', { status: 500 });
    await vi.waitFor(async () => expect(gauge(await scrape(), dead)).toBe(1), { timeout: 30_000 });
    const after = await scrape();
    expect([gauge(after, pending), gauge(after, oldest)]).toStrictEqual([0, 0]);

    // Replayed (and delivered this time): no dead letter left.
    receiver.always('/backlog', undefined);
    expect((await call('POST', `/v1/webhook-subscriptions/${id}/replay`, { deadLetters: true })).status).toBeLessThan(300);
    await vi.waitFor(async () => expect([gauge(await scrape(), dead), gauge(await scrape(), pending)]).toStrictEqual([0, 0]), { timeout: 10_000 });
  }, 120_000);
});
