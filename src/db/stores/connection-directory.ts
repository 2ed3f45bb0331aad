import type { Database } from '../database.js';
import type { ConnectionStatus } from './connection-records.js';

/** A connection as internal apps may see it: no token, sealed or not. */
export interface ConnectionListing {
  id: string;
  merchantRef: string | null;
  sellerName: string;
  status: ConnectionStatus;
  statusReason: string | null;
  grantedScopes: string[];
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  createdAt: Date;
  shops: { id: string; cipher: string; name: string; region: string }[];
}

export interface ConnectionFilter {
  merchantRef?: string;
  status?: ConnectionStatus;
  /** Exclusive: connections with an id greater than this. */
  afterId?: string;
  limit: number;
  /** Only these connections (an API client limited to some shops sees the connections of those). */
  shopIds?: string[];
}

export interface ConnectionDirectory {
  /** Connections in id order, each with its current (not removed) shops; two queries. */
  list(filter: ConnectionFilter): Promise<ConnectionListing[]>;
  get(id: string): Promise<ConnectionListing | undefined>;
}

interface ConnectionRow {
  id: string;
  merchant_ref: string | null;
  seller_name: string;
  status: ConnectionStatus;
  status_reason: string | null;
  granted_scopes: string[] | null;
  access_token_expires_at: Date | string;
  refresh_token_expires_at: Date | string;
  created_at: Date | string;
}

interface ShopRow {
  id: string;
  connection_id: string;
  cipher: string;
  name: string;
  region: string;
}

const columns = `c.id, c.merchant_ref, c.seller_name, c.status, c.status_reason, c.granted_scopes,
  c.access_token_expires_at, c.refresh_token_expires_at, c.created_at`;

export function createConnectionDirectory(db: Pick<Database, 'sql'>): ConnectionDirectory {
  async function withShops(rows: ConnectionRow[]): Promise<ConnectionListing[]> {
    if (rows.length === 0) return [];
    const shops = await db.sql.query<ShopRow>(
      `SELECT id, connection_id, cipher, name, region FROM shops
        WHERE connection_id = ANY($1::text[]) AND removed_at IS NULL ORDER BY region, name`,
      [rows.map((row) => row.id)],
    );
    return rows.map((row) => ({
      id: row.id,
      merchantRef: row.merchant_ref,
      sellerName: row.seller_name,
      status: row.status,
      statusReason: row.status_reason,
      grantedScopes: row.granted_scopes ?? [],
      accessTokenExpiresAt: new Date(row.access_token_expires_at),
      refreshTokenExpiresAt: new Date(row.refresh_token_expires_at),
      createdAt: new Date(row.created_at),
      shops: shops
        .filter((shop) => shop.connection_id === row.id)
        .map((shop) => ({ id: shop.id, cipher: shop.cipher, name: shop.name, region: shop.region })),
    }));
  }

  return {
    async list(filter) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: (n: string) => string, value: unknown) => {
        params.push(value);
        where.push(clause(`$${params.length}`));
      };
      if (filter.merchantRef !== undefined) add((n) => `c.merchant_ref = ${n}`, filter.merchantRef);
      if (filter.status !== undefined) add((n) => `c.status = ${n}::"ConnectionStatus"`, filter.status);
      if (filter.afterId !== undefined) add((n) => `c.id > ${n}`, filter.afterId);
      if (filter.shopIds !== undefined) {
        add((n) => `EXISTS (SELECT 1 FROM shops s WHERE s.connection_id = c.id AND s.id = ANY(${n}::text[]))`, filter.shopIds);
      }
      params.push(filter.limit);
      const rows = await db.sql.query<ConnectionRow>(
        `SELECT ${columns} FROM connections c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY c.id LIMIT $${params.length}`,
        params,
      );
      return withShops(rows);
    },
    async get(id) {
      const rows = await db.sql.query<ConnectionRow>(`SELECT ${columns} FROM connections c WHERE c.id = $1`, [id]);
      return (await withShops(rows))[0];
    },
  };
}
