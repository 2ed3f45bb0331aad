import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { sealTokens } from '../../src/vault/tokens.js';
import type { Vault } from '../../src/vault/vault.js';

export interface SeedOptions {
  connections: number;
  shopsPerConnection: number;
  /** Distinguishes seeds in one database. */
  prefix: string;
  /** When the access tokens expire and when their refresh is due (default: 7 days, due in 6). */
  accessExpiresAt?: Date;
  refreshDueAt?: Date;
  /** Refresh tokens to seal, by connection index (default: random ones TikTok never issued). */
  refreshToken?: (index: number) => string;
  accessToken?: (index: number) => string;
  /** The seller's open_id (default `open_<connection id>`). */
  openId?: (index: number) => string;
  /** `shop id` for shop `i` (default: 71… + offset + i). */
  shopIdOffset?: bigint;
}

/**
 * Fast seeding: tokens are sealed bound to their row (the row id is in the AAD), so one sealed value
 * cannot be reused; they are sealed in Node in batches (AES-GCM: ~10 µs each) and inserted with one
 * `INSERT … SELECT FROM unnest(…)` per 5,000 connections; shops follow with one `generate_series`
 * INSERT (a trigger fills `shop_credentials`); then the tables are settled (`settle`). Returns the shop
 * ids (as strings) in order.
 */
export async function seedConnections(pool: pg.Pool, vault: Vault, options: SeedOptions): Promise<string[]> {
  const now = Date.now();
  const accessExpiresAt = options.accessExpiresAt ?? new Date(now + 7 * 86_400_000);
  const refreshDueAt = options.refreshDueAt ?? new Date(now + 6 * 86_400_000);
  const batch = 5_000;
  for (let start = 0; start < options.connections; start += batch) {
    const ids: string[] = [];
    const access: string[] = [];
    const refresh: string[] = [];
    const openIds: string[] = [];
    for (let i = start; i < Math.min(options.connections, start + batch); i++) {
      const id = `${options.prefix}-c-${i}`;
      const sealed = sealTokens(vault, id, {
        accessToken: options.accessToken?.(i) ?? `TTP_bench_access_${i}_${randomBytes(12).toString('hex')}`,
        refreshToken: options.refreshToken?.(i) ?? `TTP_bench_refresh_${randomBytes(8).toString('hex')}`,
      });
      ids.push(id);
      openIds.push(options.openId?.(i) ?? `open_${id}`);
      access.push(sealed.accessTokenSealed);
      refresh.push(sealed.refreshTokenSealed);
    }
    await pool.query(
      `INSERT INTO connections (id, open_id, user_type, seller_name, granted_scopes, access_token_sealed, refresh_token_sealed,
         encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at)
       SELECT t.id, t.open_id, 0, 'Bench Seller', '{seller.order.info}', t.access, t.refresh, $4, $5, $6, $7, $8
         FROM unnest($1::text[], $2::text[], $3::text[], $9::text[]) AS t(id, access, refresh, open_id)`,
      [ids, access, refresh, vault.currentKeyId, accessExpiresAt, new Date(now + 90 * 86_400_000), refreshDueAt, new Date(now), openIds],
    );
  }
  const shops = options.connections * options.shopsPerConnection;
  const offset = 7_100_000_000_000_000_000n + (options.shopIdOffset ?? 0n);
  await pool.query(
    `INSERT INTO shops (id, connection_id, cipher, name, region)
     SELECT ($1::numeric + g)::text, $2 || '-c-' || (g / $3), 'ROW_' || $2 || g, 'Bench Shop', 'US'
       FROM generate_series(0, $4::int - 1) AS g`,
    [offset.toString(), options.prefix, options.shopsPerConnection, shops],
  );
  await settle(pool, ['connections', 'shops', 'shop_credentials']);
  return Array.from({ length: shops }, (_, i) => (offset + BigInt(i)).toString());
}

/** The floor's table: `rows` primary keys, each with a 64-byte value. */
export async function seedFloor(pool: pg.Pool, rows: number): Promise<string[]> {
  await pool.query('CREATE TABLE IF NOT EXISTS bench_floor (id text PRIMARY KEY, value text NOT NULL)');
  await pool.query(`INSERT INTO bench_floor (id, value) SELECT g::text, substr(md5(g::text) || md5((g + 1)::text), 1, 64) FROM generate_series(0, $1::int - 1) AS g ON CONFLICT DO NOTHING`, [rows]);
  await settle(pool, ['bench_floor']);
  return Array.from({ length: rows }, (_, i) => String(i));
}

/**
 * After a bulk load, what pgbench does before it measures: VACUUM sets the new rows' hint bits and the
 * visibility map and ANALYZE gives the planner their statistics, then CHECKPOINT writes the load's
 * dirty pages. Otherwise the first timed rounds pay for the load: each first read of a row dirties its
 * page (hint bits) and the load's checkpoint falls inside them (seen as the floor at 2,000 req/s in the
 * first rounds on 300,000 shops against 3,200 later).
 */
async function settle(pool: pg.Pool, tables: string[]): Promise<void> {
  await pool.query(`VACUUM (ANALYZE) ${tables.join(', ')}`);
  await pool.query('CHECKPOINT');
}
