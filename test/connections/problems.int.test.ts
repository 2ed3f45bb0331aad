import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProblems, type Problems } from '../../src/connections/problems.js';
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
    problems = createProblems({ store: createProblemStore(db), clock });
  });
  afterAll(async () => {
    await db?.close();
  });

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
    });
  });

  describe('resolveGranted', () => {
    it('closes the scope problems one of whose scopes is now granted', async () => {
      expect(await problems.resolveGranted(connectionId, ['seller.promotion.info', 'seller.order.info'])).toBe(1);
      expect((await problems.listOpen(connectionId)).map((p) => p.apiPath)).toStrictEqual([financePath]);
    });
  });
});
