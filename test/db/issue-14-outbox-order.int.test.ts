import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { createEventFeedStore } from '../../src/db/stores/event-feed-store.js';
import { createLifecycleStore } from '../../src/db/stores/lifecycle-store.js';
import { createTestDatabase, openDatabaseBefore } from '../support/database.js';

const migration = '20261204100000_outbox_commit_order';

const relay = (db: Database, name: string) =>
  createLifecycleStore(db.sql).appendRelay({ type: `tiktok.${name}`, connectionId: null, payload: { name }, at: new Date() });
/** The names of the events after `after`, in the order the feed gives them. */
const feed = async (db: Database, after: string) =>
  (await createEventFeedStore(db).after({ after: BigInt(after), limit: 100 })).map((event) => (event.payload as { name: string }).name);

/**
 * Issue #14: the outbox is read in (xact_order, id) order (src/db/stores/outbox-order.ts). Here, on both
 * backends, what that order keeps from before: events stored earlier, the cursors readers hold, a cursor
 * whose event retention deleted. Transactions overtaking each other: test/webhooks/issue-14-event-order.int.test.ts.
 */
describe(`migration ${migration}`, () => {
  let db: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await db?.close();
    await drop?.();
    db = undefined;
    drop = undefined;
  });

  it('keeps the events stored before it in id order, ahead of later ones, and a cursor handed out before it goes on where it was', async () => {
    const opened = await openDatabaseBefore(migration);
    ({ db, drop } = opened);
    const old = [];
    for (const name of ['old1', 'old2', 'old3']) old.push(await relay(db, name));

    expect((await migrate(db.sql, opened.migrations)).applied).toContain(migration);
    await relay(db, 'new1');
    await relay(db, 'new2');

    expect(await feed(db, '0')).toStrictEqual(['old1', 'old2', 'old3', 'new1', 'new2']);
    expect(await feed(db, old[1]!)).toStrictEqual(['old3', 'new1', 'new2']);
    expect(await db.sql.query("SELECT xact_order::text AS xact_order FROM outbox_events WHERE type LIKE 'tiktok.old%'")).toStrictEqual([
      { xact_order: '0' }, { xact_order: '0' }, { xact_order: '0' },
    ]);
  });
});

describe('the outbox order', () => {
  let db: Database;
  afterEach(async () => {
    await db?.close();
  });

  it('goes on past a cursor whose event retention deleted, losing no later event', async () => {
    db = await createTestDatabase();
    const ids = [];
    for (const name of ['first', 'second', 'third']) ids.push(await relay(db, name));
    await db.sql.query('DELETE FROM outbox_events WHERE id = ANY($1::bigint[])', [[ids[0], ids[1]]]);

    expect(await feed(db, ids[1]!)).toStrictEqual(['third']);
  });

  it('is set by the database whatever an insert says: an xact_order no lower than the writing transaction', async () => {
    db = await createTestDatabase();
    await relay(db, 'first');
    const [row] = await db.sql.query<{ own: boolean }>(
      `INSERT INTO outbox_events (type, payload, xact_order) VALUES ('tiktok.forged', '{"name":"forged"}', '0')
       RETURNING xact_order >= pg_current_xact_id() AS own`,
    );
    expect(row!.own).toBe(true);
    expect(await feed(db, '0')).toStrictEqual(['first', 'forged']);
  });
});
