import type { ConnectionListing, ConnectionStatus } from '../../connections/model.js';
import type { Database } from '../database.js';
import { mapConnection, mapShop, selectConnection, selectShop } from './connection-rows.js';

export interface ConnectionFilter {
  merchantRef?: string;
  status?: ConnectionStatus;
  /** Exclusive: connections with an id greater than this. */
  afterId?: string;
  limit: number;
  /** Only these connections (an API client limited to some shops sees the connections of those). */
  shopIds?: string[];
  /** Only connections of these TikTok Shop apps (`?app=`, or a key limited to some apps). */
  apps?: string[];
}

/** Connections as internal apps and operators list them: no token, and their current shops. */
export interface ConnectionListingStore {
  /** Connections in id order, each with its current (not removed) shops; two queries. */
  list(filter: ConnectionFilter): Promise<ConnectionListing[]>;
  get(id: string): Promise<ConnectionListing | undefined>;
  /** Connections per TikTok Shop app and status (`apps list`); one grouped query. */
  countByApp(): Promise<Map<string, Partial<Record<ConnectionStatus, number>>>>;
}

const fields = [
  'id', 'app', 'merchantRef', 'sellerName', 'status', 'statusReason', 'grantedScopes', 'accessTokenExpiresAt', 'refreshTokenExpiresAt', 'createdAt',
] as const satisfies readonly (keyof ConnectionListing)[];
const shopFields = ['id', 'cipher', 'name', 'region'] as const;
const columns = selectConnection(fields, 'c');

export function createConnectionListingStore(db: Pick<Database, 'sql'>): ConnectionListingStore {
  async function withShops(rows: Record<string, unknown>[]): Promise<ConnectionListing[]> {
    if (rows.length === 0) return [];
    const shops = await db.sql.query<Record<string, unknown>>(
      `SELECT ${selectShop([...shopFields, 'connectionId'])} FROM shops
        WHERE connection_id = ANY($1::text[]) AND removed_at IS NULL ORDER BY region, name`,
      [rows.map((row) => row.id)],
    );
    const shopsOf = shops.map((row) => mapShop(row, [...shopFields, 'connectionId'] as const));
    return rows.map((row) => ({
      ...mapConnection(row, fields),
      shops: shopsOf.filter((shop) => shop.connectionId === row.id).map(({ connectionId: _, ...shop }) => shop),
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
      if (filter.apps !== undefined) add((n) => `c.app = ANY(${n}::text[])`, filter.apps);
      if (filter.afterId !== undefined) add((n) => `c.id > ${n}`, filter.afterId);
      if (filter.shopIds !== undefined) {
        add((n) => `EXISTS (SELECT 1 FROM shops s WHERE s.connection_id = c.id AND s.id = ANY(${n}::text[]))`, filter.shopIds);
      }
      params.push(filter.limit);
      const rows = await db.sql.query<Record<string, unknown>>(
        `SELECT ${columns} FROM connections c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY c.id LIMIT $${params.length}`,
        params,
      );
      return withShops(rows);
    },
    async countByApp() {
      const rows = await db.sql.query<{ app: string; status: ConnectionStatus; count: string | number }>(
        'SELECT app, status::text AS status, count(*) AS count FROM connections GROUP BY app, status',
      );
      const counts = new Map<string, Partial<Record<ConnectionStatus, number>>>();
      for (const row of rows) counts.set(row.app, { ...counts.get(row.app), [row.status]: Number(row.count) });
      return counts;
    },
    async get(id) {
      const rows = await db.sql.query<Record<string, unknown>>(`SELECT ${columns} FROM connections c WHERE c.id = $1`, [id]);
      return (await withShops(rows))[0];
    },
  };
}
