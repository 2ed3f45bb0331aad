import { performance } from 'node:perf_hooks';
import type { ShopAccess } from '../../connections/model.js';
import { createBatcher } from '../../shared/batcher.js';
import type { Database } from '../database.js';
import { mapConnection, selectConnection } from './connection-rows.js';

export interface ShopAccessStore {
  /**
   * One primary-key read of one table: `shop_credentials` (shop id, then app), the read model that
   * triggers keep from `shops` and `connections` in the writers' own transactions (migration
   * 20261205100000); one row per app the shop is connected through (#13), only `app`'s with `app`.
   * A removed shop is found with its `removedAt` (so the caller can say why it is not usable).
   * `withProblems` adds an indexed `EXISTS` over open problems (the proxy closes them on success).
   *
   * Without `withProblems` (the token read) concurrent finds are answered together: while
   * `readsInFlight` reads run, the finds arriving meanwhile queue, and the next read takes them all
   * (up to 100 shops) in one `shop_id = ANY($1)` (still one primary-key lookup per shop). Under load
   * that is one round trip and one statement for many requests that would each have waited for a
   * pooled connection; a quiet service reads at once. A find never waits more than 50 ms for a free
   * slot: its read then starts anyway, and the pool's timeouts bound it as they bound any query.
   */
  find(shopId: string, options?: { app?: string | undefined; withProblems?: boolean }): Promise<ShopAccess[]>;
}

const fields = ['status', 'statusReason', 'grantedScopes', 'accessTokenSealed', 'accessTokenExpiresAt', 'refreshDueAt'] as const;

// The read model's columns carry the connection's names, so the connection's column list reads them.
const select = `SELECT sc.shop_id, sc.app AS shop_app, sc.cipher, sc.removed_at, sc.connection_id, ${selectConnection(fields, 'sc')}`;
const batch = `${select}, false AS has_open_problems FROM shop_credentials sc WHERE sc.shop_id = ANY($1::text[])`;
const withProblems = `${select}, EXISTS (SELECT 1 FROM problems p WHERE p.connection_id = sc.connection_id AND p.resolved_at IS NULL) AS has_open_problems
  FROM shop_credentials sc WHERE sc.shop_id = $1 AND ($2::text IS NULL OR sc.app = $2)`;

interface Row extends Record<string, unknown> {
  shop_id: string;
  shop_app: string;
  cipher: string;
  connection_id: string;
  removed_at: Date | string | null;
  has_open_problems: boolean;
}

/** Shops one read asks for at most (more wait for the next read). */
const maxShopsPerRead = 100;
/** How long a find waits for a free slot before its read starts anyway (reads ahead that hang hold no one). */
const maxQueueMs = 50;

export function createShopAccessStore(db: Pick<Database, 'sql'>, reads: { readsInFlight: number }): ShopAccessStore {
  const batcher = createBatcher<string, ShopAccess[]>({
    maxInFlight: reads.readsInFlight,
    maxBatch: maxShopsPerRead,
    maxQueueMs,
    now: () => performance.now(),
    missing: () => [],
    run: async (shopIds) => {
      const found = new Map<string, ShopAccess[]>();
      for (const row of await db.sql.query<Row>(batch, [shopIds], { prepareAs: 'shop_access_batch' })) {
        const access = mapRow(row);
        const rows = found.get(access.shopId);
        if (rows) rows.push(access);
        else found.set(access.shopId, [access]);
      }
      return found;
    },
  });
  return {
    async find(shopId, options) {
      const app = options?.app;
      if (options?.withProblems) return (await db.sql.query<Row>(withProblems, [shopId, app ?? null], { prepareAs: 'shop_access_with_problems' })).map(mapRow);
      // A copy for each caller: finds of one shop in one read share its rows.
      const rows = await batcher.load(shopId);
      return rows.filter((row) => app === undefined || row.app === app);
    },
  };
}

function mapRow(row: Row): ShopAccess {
  return {
    shopId: row.shop_id,
    app: row.shop_app,
    shopCipher: row.cipher,
    connectionId: row.connection_id,
    removedAt: row.removed_at === null ? null : new Date(row.removed_at),
    ...mapConnection(row, fields),
    hasOpenProblems: row.has_open_problems,
  };
}
