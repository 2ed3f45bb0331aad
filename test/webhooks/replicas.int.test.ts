import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createTestDatabase, testBackend, type TestDatabase } from '../support/database.js';
import { startTestService, type TestService } from '../support/service.js';
import { api, fastWebhookEnv, seedConnection, startReceiver, tiktokSends, type Receiver } from './support.js';

/** Several replicas on one database, and a restart in the middle of a backlog. */
let receiver: Receiver;
let db: TestDatabase;
const opened: Database[] = [];
const running: TestService[] = [];
beforeAll(async () => {
  receiver = await startReceiver();
  db = await createTestDatabase();
});
afterEach(async () => {
  for (const service of running.splice(0)) await service.close();
});
afterAll(async () => {
  for (const extra of opened) await extra.close();
  await db?.close();
  await receiver?.close();
});

/** A replica: its own service (and pool, on Postgres) over the shared database. */
async function replica(): Promise<TestService> {
  let own: Database = db;
  if (testBackend === 'postgres') {
    own = await openDatabase({ kind: 'postgres', url: db.url!, poolSize: 5 });
    opened.push(own);
  }
  const service = await startTestService({ ...fastWebhookEnv, WEBHOOK_DELIVERY_CONCURRENCY: '4' }, { db: own });
  running.push(service);
  return service;
}

const notificationIds = (path: string) => receiver.at(path).map((request) => (JSON.parse(request.body) as { payload: { notificationId: string } }).payload.notificationId);

describe(`two replicas on one ${testBackend} database`, () => {
  it('deliver each event once (counted on the receiver)', async () => {
    const first = await replica();
    const second = await replica();
    const key = (await first.core.operator.apiClients.create({ name: 'sync', scopes: ['webhooks:manage'] })).key;
    const connections = [await seedConnection(first), await seedConnection(first), await seedConnection(first)];
    expect((await api(first, key)('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/replicas`, events: ['tiktok.*'] })).status).toBe(201);
    receiver.always('/replicas', { status: 200, delayMs: 5 });

    const sent: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      for (const [index, { seller }] of connections.entries()) {
        const notificationId = `c${index}-${String(round).padStart(2, '0')}`;
        sent.push(notificationId);
        // Half the webhooks reach one replica, half the other.
        await tiktokSends(round % 2 === 0 ? first : second, { type: 1, shopId: seller.shops[0]!.id, notificationId });
      }
    }
    await vi.waitFor(() => expect(receiver.at('/replicas')).toHaveLength(30), { timeout: 20_000 });
    await Promise.all([first, second].map((service) => service.core.webhooks.deliveryWorker.drain()));
    const received = notificationIds('/replicas');
    expect([...received].sort()).toStrictEqual([...sent].sort());
    const attempts = await db.sql.query<{ count: string }>(
      "SELECT count(*)::text AS count FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE s.url LIKE '%/replicas'",
    );
    expect(attempts[0]!.count).toBe('30');
  });

  it('deliver the events of one connection in order, while webhooks reach both replicas and both deliver', async () => {
    const first = await replica();
    const second = await replica();
    const key = (await first.core.operator.apiClients.create({ name: 'sync', scopes: ['webhooks:manage'] })).key;
    const connections = [await seedConnection(first), await seedConnection(first)];
    expect((await api(first, key)('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/ordered`, events: ['tiktok.*'] })).status).toBe(201);
    receiver.always('/ordered', { status: 200, delayMs: 2 });

    const sent: string[][] = [[], []];
    for (let round = 0; round < 20; round += 1) {
      for (const [index, { seller }] of connections.entries()) {
        const notificationId = `o${index}-${String(round).padStart(2, '0')}`;
        sent[index]!.push(notificationId);
        await tiktokSends((round + index) % 2 === 0 ? first : second, { type: 1, shopId: seller.shops[0]!.id, notificationId });
      }
    }
    await vi.waitFor(() => expect(receiver.at('/ordered')).toHaveLength(40), { timeout: 60_000 });
    const received = notificationIds('/ordered');
    for (const [index, ids] of sent.entries()) expect(received.filter((id) => id.startsWith(`o${index}-`))).toStrictEqual(ids);
  }, 120_000);

  it('lose nothing when a replica stops in the middle of a backlog and another starts', async () => {
    const before = await replica();
    const key = (await before.core.operator.apiClients.create({ name: 'sync', scopes: ['webhooks:manage'] })).key;
    const { seller } = await seedConnection(before);
    expect((await api(before, key)('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/restart`, events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] })).status).toBe(201);
    receiver.always('/restart', { status: 200, delayMs: 40 });
    const sent = Array.from({ length: 20 }, (_, index) => `restart-${String(index).padStart(2, '0')}`);
    for (const notificationId of sent) await tiktokSends(before, { type: 1, shopId: seller.shops[0]!.id, notificationId });

    await vi.waitFor(() => expect(receiver.at('/restart').length).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    await before.close();
    running.splice(running.indexOf(before), 1);
    const deliveredBeforeRestart = receiver.at('/restart').length;
    expect(deliveredBeforeRestart).toBeLessThan(20);

    await replica();
    await vi.waitFor(() => expect(new Set(notificationIds('/restart')).size).toBe(20), { timeout: 20_000 });
    // One connection: in order, and each event once (the stopping replica finished what it held).
    expect(notificationIds('/restart')).toStrictEqual(sent);
    // The last answer is recorded just after the receiver counted it.
    await vi.waitFor(async () => expect(await db.sql.query("SELECT id FROM webhook_deliveries WHERE status = 'pending'")).toStrictEqual([]));
  });
});
