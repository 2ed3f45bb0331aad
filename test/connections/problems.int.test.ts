import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProblems, type Problems } from '../../src/connections/problems.js';
import { connectionEventSchemas, createLifecycle } from '../../src/connections/lifecycle/index.js';
import { createLifecycleStore } from '../../src/db/stores/lifecycle-store.js';
import { createProblemStore } from '../../src/db/stores/problem-store.js';
import { FakeClock } from '../support/clock.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

describe('connection problems', () => {
  let db: TestDatabase;
  let problems: Problems;
  const clock = new FakeClock('2026-11-23T10:00:00.000Z');
  const connectionId = '11111111-1111-4111-8111-111111111111';
  const financePath = '/finance/202309/statements';

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.sql.query(
      `INSERT INTO connections (id, open_id, user_type, seller_name, granted_scopes, access_token_sealed, refresh_token_sealed,
         encryption_key_id, access_token_expires_at, refresh_token_expires_at, authorized_at)
       VALUES ($1, 'open-1', 0, 'Seller', '{}', 'x', 'y', 'k1', now(), now(), now())`,
      [connectionId],
    );
    problems = createProblems({
      store: createProblemStore(db), clock,
      inTransaction: (work) => db.sql.transaction((tx) => work({ store: createProblemStore({ sql: tx }), lifecycle: createLifecycle({ store: createLifecycleStore(tx), clock }) })),
    });
  });
  afterAll(async () => {
    await db?.close();
  });

  /** The events subscribers got so far: type, path and how it closed. */
  const events = async () =>
    (await db.sql.query<{ type: string; payload: { apiPath: string; resolution?: string; status: string; connectionId: string } }>(
      'SELECT type, payload FROM outbox_events WHERE connection_id = $1 ORDER BY id', [connectionId],
    )).map(({ type, payload }) => [type, payload.apiPath, payload.resolution ?? null]);

  describe('recordScopeMissing', () => {
    it('opens one problem per API path and counts repeats', async () => {
      const input = { connectionId, apiPath: financePath, scopeKeys: ['seller.finance.info'], tiktokCode: 105005, tiktokMessage: 'Access denied' };
      const first = await problems.recordScopeMissing(input);
      clock.advanceSeconds(60);
      const again = await problems.recordScopeMissing(input);
      expect(again).toStrictEqual({
        ...first,
        occurrences: 2,
        lastSeenAt: new Date('2026-11-23T10:01:00.000Z'),
      });
      expect(first).toMatchObject({ kind: 'scope_missing', firstSeenAt: new Date('2026-11-23T10:00:00.000Z'), resolvedAt: null });
      await problems.recordScopeMissing({ ...input, apiPath: '/promotion/202309/activities', scopeKeys: ['seller.promotion.info'] });
      expect((await problems.listOpen(connectionId)).map((p) => [p.apiPath, p.occurrences])).toStrictEqual([
        [financePath, 2],
        ['/promotion/202309/activities', 1],
      ]);
      // Announced when it opens, not for the repeat.
      expect(await events()).toStrictEqual([
        ['connection.scope_problem', financePath, null],
        ['connection.scope_problem', '/promotion/202309/activities', null],
      ]);
      const [opened] = await db.sql.query<{ payload: unknown }>("SELECT payload FROM outbox_events WHERE type = 'connection.scope_problem' ORDER BY id LIMIT 1");
      expect(opened!.payload).toStrictEqual({
        connectionId, openId: 'open-1', merchantRef: null, status: 'active', problemId: first.id, kind: 'scope_missing', apiPath: financePath,
        scopeKeys: ['seller.finance.info'], tiktokCode: 105005, tiktokMessage: 'Access denied', occurredAt: '2026-11-23T10:00:00.000Z',
      });
      expect(connectionEventSchemas['connection.scope_problem'].safeParse(opened!.payload).success).toBe(true);
    });
  });

  describe('resolve', () => {
    it('closes the open problem of a path once, and a later failure opens a new one', async () => {
      expect(await problems.resolve(connectionId, financePath, 'call_succeeded')).toBe(true);
      expect(await problems.resolve(connectionId, financePath, 'call_succeeded')).toBe(false);
      const reopened = await problems.recordScopeMissing({ connectionId, apiPath: financePath, scopeKeys: ['seller.finance.info'] });
      expect(reopened.occurrences).toBe(1);
      const [resolved] = await db.sql.query('SELECT resolution, open_key FROM problems WHERE resolved_at IS NOT NULL');
      expect(resolved).toStrictEqual({ resolution: 'call_succeeded', open_key: null });
      // One event for the problem resolved (none for the second call), one for the problem opened again.
      expect((await events()).slice(2)).toStrictEqual([
        ['connection.problem_resolved', financePath, 'call_succeeded'],
        ['connection.scope_problem', financePath, null],
      ]);
    });
  });

  describe('resolveGranted', () => {
    it('closes the scope problems one of whose scopes is now granted', async () => {
      expect(await problems.resolveGranted(connectionId, ['seller.promotion.info', 'seller.order.info'])).toBe(1);
      expect((await problems.listOpen(connectionId)).map((p) => p.apiPath)).toStrictEqual([financePath]);
      expect((await events()).slice(4)).toStrictEqual([['connection.problem_resolved', '/promotion/202309/activities', 'scope_granted']]);
      const [closed] = await db.sql.query<{ payload: unknown }>("SELECT payload FROM outbox_events WHERE type = 'connection.problem_resolved' ORDER BY id DESC LIMIT 1");
      expect(connectionEventSchemas['connection.problem_resolved'].safeParse(closed!.payload).success).toBe(true);
    });
  });
});
