import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundBudgetStore } from '../../src/db/stores/outbound-budget-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * Issue #12: every proxied call counts itself in `tiktok_call_budget` before TikTok is called. The table
 * is UNLOGGED (migration 20261205200000), so that count's commit waits for no WAL flush on the proxy's
 * path (`npm run bench -- proxy`, busy: 3.4 → 2.1 ms added p50); the counts are one second's worth.
 */
describe('the outbound budget table', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('is unlogged: a call is counted without a WAL flush', async () => {
    const [table] = await db.sql.query<{ relpersistence: string }>("SELECT relpersistence FROM pg_class WHERE relname = 'tiktok_call_budget'");
    expect(table).toStrictEqual({ relpersistence: 'u' });
  });

  it('counts the calls of a key within its second and starts again in the next', async () => {
    const budget = createOutboundBudgetStore(db.sql);
    const second = new Date('2026-12-02T00:00:00Z');
    expect(await budget.add('default:7000:/order/202309/orders/search', second)).toBe(1);
    expect(await budget.add('default:7000:/order/202309/orders/search', second)).toBe(2);
    expect(await budget.add('default:7001:/order/202309/orders/search', second)).toBe(1);
    expect(await budget.add('default:7000:/order/202309/orders/search', new Date(second.getTime() + 1000))).toBe(1);
  });
});
