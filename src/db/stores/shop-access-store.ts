import type { Sealed } from '../../shared/sealed.js';
import type { Database } from '../database.js';
import type { ConnectionStatus } from './connection-records.js';

/** What the token, sign and proxy paths need about a shop and its connection, from one read. */
export interface ShopAccess {
  shopId: string;
  shopCipher: string;
  connectionId: string;
  status: ConnectionStatus;
  statusReason: string | null;
  grantedScopes: string[];
  accessTokenSealed: Sealed;
  accessTokenExpiresAt: Date;
  refreshDueAt: Date | null;
  /** Whether the connection has open problems (only asked for by the proxy). */
  hasOpenProblems: boolean;
}

export interface ShopAccessStore {
  /**
   * One indexed read: `shops` by primary key joined to its connection. Removed shops are not found.
   * `withProblems` adds an indexed `EXISTS` over open problems (the proxy closes them on success).
   */
  find(shopId: string, options?: { withProblems?: boolean }): Promise<ShopAccess | undefined>;
}

interface Row {
  shop_id: string;
  cipher: string;
  connection_id: string;
  status: ConnectionStatus;
  status_reason: string | null;
  granted_scopes: string[];
  access_token_sealed: string;
  access_token_expires_at: Date | string;
  refresh_due_at: Date | string | null;
  has_open_problems: boolean;
}

const select = `SELECT s.id AS shop_id, s.cipher, c.id AS connection_id, c.status, c.status_reason, c.granted_scopes,
  c.access_token_sealed, c.access_token_expires_at, c.refresh_due_at`;
const from = `FROM shops s JOIN connections c ON c.id = s.connection_id WHERE s.id = $1 AND s.removed_at IS NULL`;
const plain = `${select}, false AS has_open_problems ${from}`;
const withProblems = `${select}, EXISTS (SELECT 1 FROM problems p WHERE p.connection_id = c.id AND p.resolved_at IS NULL) AS has_open_problems ${from}`;

export function createShopAccessStore(db: Pick<Database, 'sql'>): ShopAccessStore {
  return {
    async find(shopId, options) {
      const [row] = options?.withProblems
        ? await db.sql.query<Row>(withProblems, [shopId], { prepareAs: 'shop_access_with_problems' })
        : await db.sql.query<Row>(plain, [shopId], { prepareAs: 'shop_access' });
      if (!row) return undefined;
      return {
        shopId: row.shop_id,
        shopCipher: row.cipher,
        connectionId: row.connection_id,
        status: row.status,
        statusReason: row.status_reason,
        grantedScopes: row.granted_scopes ?? [],
        accessTokenSealed: row.access_token_sealed as Sealed,
        accessTokenExpiresAt: new Date(row.access_token_expires_at),
        refreshDueAt: row.refresh_due_at === null ? null : new Date(row.refresh_due_at),
        hasOpenProblems: row.has_open_problems,
      };
    },
  };
}
