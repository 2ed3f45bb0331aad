import type { SqlRunner } from '../sql.js';

/**
 * The shared count behind the outbound budget: one row per (app, shop, API) key holding its current
 * second. One upsert per call: a later second restarts the count; a replica whose clock lags counts
 * into the newer second already there (never resets it).
 */
export function createOutboundBudgetStore(sql: SqlRunner): { add(key: string, windowStart: Date): Promise<number> } {
  return {
    async add(key, windowStart) {
      const [row] = await sql.query<{ calls: number }>(
        `INSERT INTO tiktok_call_budget (key, window_start, calls) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           calls = CASE WHEN tiktok_call_budget.window_start >= EXCLUDED.window_start THEN tiktok_call_budget.calls + 1 ELSE 1 END,
           window_start = GREATEST(tiktok_call_budget.window_start, EXCLUDED.window_start)
         RETURNING calls`,
        [key, windowStart],
        { prepareAs: 'outbound_budget_add' },
      );
      return row!.calls;
    },
  };
}
