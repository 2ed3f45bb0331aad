import type { ShopAccess } from '../../connections/model.js';
import type { Database } from '../database.js';
import { mapConnection, selectConnection } from './connection-rows.js';

export interface ShopAccessStore {
  /**
   * One primary-key read of one table: `shop_credentials` (shop id, then app), the read model that
   * triggers keep from `shops` and `connections` in the writers' own transactions (migration
   * 20261205100000); one row per app the shop is connected through (#13), only `app`'s with `app`.
   * A removed shop is found with its `removedAt` (so the caller can say why it is not usable).
   * `withProblems` adds an indexed `EXISTS` over open problems (the proxy closes them on success).
   */
  find(shopId: string, options?: { app?: string | undefined; withProblems?: boolean }): Promise<ShopAccess[]>;
}

const fields = ['status', 'statusReason', 'grantedScopes', 'accessTokenSealed', 'accessTokenExpiresAt', 'refreshDueAt'] as const;

// The read model's columns carry the connection's names, so the connection's column list reads them.
const select = `SELECT sc.shop_id, sc.app AS shop_app, sc.cipher, sc.removed_at, sc.connection_id, ${selectConnection(fields, 'sc')}`;
const from = `FROM shop_credentials sc WHERE sc.shop_id = $1 AND ($2::text IS NULL OR sc.app = $2)`;
const plain = `${select}, false AS has_open_problems ${from}`;
const withProblems = `${select}, EXISTS (SELECT 1 FROM problems p WHERE p.connection_id = sc.connection_id AND p.resolved_at IS NULL) AS has_open_problems ${from}`;

interface Row extends Record<string, unknown> {
  shop_id: string;
  shop_app: string;
  cipher: string;
  connection_id: string;
  removed_at: Date | string | null;
  has_open_problems: boolean;
}

export function createShopAccessStore(db: Pick<Database, 'sql'>): ShopAccessStore {
  return {
    async find(shopId, options) {
      const values = [shopId, options?.app ?? null];
      const rows = options?.withProblems
        ? await db.sql.query<Row>(withProblems, values, { prepareAs: 'shop_access_with_problems' })
        : await db.sql.query<Row>(plain, values, { prepareAs: 'shop_access' });
      return rows.map((row) => ({
        shopId: row.shop_id,
        app: row.shop_app,
        shopCipher: row.cipher,
        connectionId: row.connection_id,
        removedAt: row.removed_at === null ? null : new Date(row.removed_at),
        ...mapConnection(row, fields),
        hasOpenProblems: row.has_open_problems,
      }));
    },
  };
}
