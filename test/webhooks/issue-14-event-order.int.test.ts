import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLifecycle, type Lifecycle } from '../../src/connections/lifecycle/index.js';
import type { SqlRunner } from '../../src/db/sql.js';
import { createLifecycleStore } from '../../src/db/stores/lifecycle-store.js';
import { systemClock } from '../../src/shared/clock.js';
import { testBackend } from '../support/database.js';
import { startTestService, type TestService } from '../support/service.js';
import { api, fastWebhookEnv, seedConnection, startReceiver, type Receiver } from './support.js';

interface Event { id: string; type: string; connectionId: string | null; payload: Record<string, unknown> }

const admin = { type: 'admin' as const, email: 'ops@example.com' };

/**
 * Issue #14: per subscription, the events of one connection are delivered in order, and GET /v1/events
 * gives the same events in the same order. Ids are taken before commit, so a transaction that took id 10
 * may commit before the one that took 9: the later event must wait for the earlier one, and a feed reader
 * must never move past the earlier one. Each transaction here is its own Postgres connection, writing
 * through the real lifecycle store; PGlite has one connection, so nothing can interleave there.
 */
describe.runIf(testBackend === 'postgres')('issue #14: the events of one connection, in commit order', () => {
  let service: TestService;
  let receiver: Receiver;
  let call: ReturnType<typeof api>;
  const clients: pg.Client[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    service = await startTestService(fastWebhookEnv);
    const client = await service.core.operator.apiClients.create({ name: 'event order', scopes: ['webhooks:manage', 'connections:read'] });
    call = api(service, client.key);
    expect((await call('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/events`, events: ['connection.*'] })).status).toBe(201);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()));
    await service?.stop();
    await receiver?.close();
  });

  /**
   * A transaction of its own on a connection of its own, and the lifecycle writing in it. `hasWritten`: it
   * has written already (as the inbox worker marks its row processed first), so it holds a transaction id
   * older than any taken after.
   */
  async function begin(options: { hasWritten?: boolean } = {}): Promise<{ lifecycle: Lifecycle; commit(): Promise<void> }> {
    const client = new pg.Client({ connectionString: service.db.url });
    clients.push(client);
    await client.connect();
    await client.query('BEGIN');
    if (options.hasWritten) await client.query('SELECT pg_current_xact_id()');
    const runner: SqlRunner = {
      query: async <Row,>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as Row[],
      exec: async (script) => void (await client.query(script)),
    };
    return { lifecycle: createLifecycle({ store: createLifecycleStore(runner), clock: systemClock }), commit: async () => void (await client.query('COMMIT')) };
  }
  const suspend = (lifecycle: Lifecycle, id: string) =>
    lifecycle.transition({ id, to: 'suspended', cause: 'admin', reason: 'Paused', details: { by: admin, reason: 'Paused', occurredAt: new Date().toISOString() } });
  const refreshRequested = (lifecycle: Lifecycle, id: string) =>
    lifecycle.announce(id, 'connection.refresh_requested', { by: admin, outcome: 'refreshed', occurredAt: new Date().toISOString() });

  /** The feed after `cursor`, every page: this connection's events and the cursor to go on from. */
  async function feed(cursor: string, connectionId: string): Promise<{ events: Event[]; cursor: string }> {
    const events: Event[] = [];
    for (;;) {
      const page = await call<{ events: Event[]; nextCursor: string }>('GET', `/v1/events?after=${cursor}&limit=2`);
      expect(page.status).toBe(200);
      events.push(...page.body.events.filter((event) => event.connectionId === connectionId));
      if (page.body.events.length === 0) return { events, cursor };
      cursor = page.body.nextCursor;
    }
  }
  const pushed = (connectionId: string) =>
    receiver.at('/events').map((request) => JSON.parse(request.body) as Event).filter((event) => event.connectionId === connectionId);
  /** Every round the dispatcher and the delivery worker can run now. */
  const sendAll = async () => {
    await service.core.webhooks.dispatcher.drain();
    await service.core.webhooks.deliveryWorker.drain();
  };
  const start = async () => (await feed('0', 'none')).cursor;

  it('holds a later event back while an earlier one of the same connection is uncommitted, then delivers and lists both in id order', async () => {
    const { id } = await seedConnection(service);
    const cursor = await start();
    const first = await begin();
    expect(await suspend(first.lifecycle, id)).toBe(true);
    const second = await begin();
    expect(await refreshRequested(second.lifecycle, id)).toBe(true);
    await second.commit();

    await sendAll();
    expect(await service.db.sql.query("SELECT type FROM outbox_events WHERE connection_id = $1", [id])).toStrictEqual([{ type: 'connection.refresh_requested' }]);
    expect(pushed(id)).toStrictEqual([]);
    expect((await feed(cursor, id)).events).toStrictEqual([]);

    await first.commit();
    await vi.waitFor(() => expect(pushed(id)).toHaveLength(2), { timeout: 15_000 });
    const listed = (await feed(cursor, id)).events;
    expect(listed.map((event) => event.type)).toStrictEqual(['connection.suspended', 'connection.refresh_requested']);
    expect(BigInt(listed[0]!.id)).toBeLessThan(BigInt(listed[1]!.id));
    expect(pushed(id)).toStrictEqual(listed);
  });

  it('never lets a feed reader past an event skip an earlier one that commits later, even from a transaction that began after', async () => {
    const { id } = await seedConnection(service);
    const cursor = await start();
    // The later event's transaction id is the older of the two, though its event id is the newer.
    const later = await begin({ hasWritten: true });
    const earlier = await begin();
    expect(await suspend(earlier.lifecycle, id)).toBe(true);
    expect(await refreshRequested(later.lifecycle, id)).toBe(true);
    await later.commit();

    const before = await feed(cursor, id);
    await sendAll();
    await earlier.commit();
    await sendAll();
    const after = await feed(before.cursor, id);

    const listed = [...before.events, ...after.events];
    expect(listed.map((event) => event.type).sort()).toStrictEqual(['connection.refresh_requested', 'connection.suspended']);
    expect((await feed(cursor, id)).events).toStrictEqual(listed);
    await vi.waitFor(() => expect(pushed(id)).toHaveLength(2), { timeout: 15_000 });
    expect(pushed(id)).toStrictEqual(listed);
  });

  it('does not hold events back behind an open transaction that writes no event', async () => {
    const { id } = await seedConnection(service);
    const cursor = await start();
    const unrelated = await begin({ hasWritten: true });
    const writer = await begin();
    expect(await suspend(writer.lifecycle, id)).toBe(true);
    await writer.commit();

    await sendAll();
    expect(pushed(id).map((event) => event.type)).toStrictEqual(['connection.suspended']);
    expect((await feed(cursor, id)).events).toStrictEqual(pushed(id));
    await unrelated.commit();
  });

  it('puts an event written after waiting for another transaction\'s lock on the connection after that transaction\'s event, even when its transaction began first', async () => {
    const { id } = await seedConnection(service);
    const cursor = await start();
    const revoking = await begin({ hasWritten: true });
    const suspending = await begin();
    expect(await suspend(suspending.lifecycle, id)).toBe(true);
    const revoked = revoking.lifecycle.transition({
      id, to: 'revoked', cause: 'admin', from: ['active', 'suspended'], reason: 'Ended', details: { by: admin, reason: 'Ended', occurredAt: new Date().toISOString() },
    });
    await vi.waitFor(async () => {
      const [waiting] = await service.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      expect(waiting!.n).toBe(1);
    }, { timeout: 10_000 });
    await suspending.commit();
    expect(await revoked).toBe(true);
    await revoking.commit();

    await vi.waitFor(() => expect(pushed(id)).toHaveLength(2), { timeout: 15_000 });
    const listed = (await feed(cursor, id)).events;
    expect(listed.map((event) => [event.type, event.payload.previousStatus])).toStrictEqual([['connection.suspended', 'active'], ['connection.revoked', 'suspended']]);
    expect(pushed(id)).toStrictEqual(listed);
  });
});
