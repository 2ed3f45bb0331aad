import { randomUUID } from 'node:crypto';
import type { Sealed } from '../../shared/sealed.js';
import type { Database } from '../database.js';
import type { SqlRunner } from '../sql.js';
import { toConnection, toShop, type ConnectionRecord, type ShopRecord } from './connection-records.js';

/** A connection's tokens sealed for its row (the vault's `SealedTokens`, seen from the database). */
export interface SealedTokenColumns {
  accessTokenSealed: Sealed;
  refreshTokenSealed: Sealed;
  encryptionKeyId: string;
}

export interface AuthorizedShop {
  id: string;
  name: string;
  region: string;
  sellerType: string;
  cipher: string;
  code: string;
}

/** A seller authorization as TikTok handed it out, ready to store (tokens are sealed by `seal`). */
export interface AuthorizationToSave {
  openId: string;
  userType: number;
  sellerName: string;
  sellerBaseRegion: string | null;
  merchantRef: string | null;
  apiClientId: string | null;
  grantedScopes: string[];
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  refreshDueAt: Date;
  authorizedAt: Date;
  shops: AuthorizedShop[];
}

export interface SavedAuthorization {
  connectionId: string;
  /** false: the seller was known and its connection was re-authorized. */
  created: boolean;
  /** Shops of the connection that are no longer in the authorization (marked removed now). */
  removedShopIds: string[];
}

/** One row's sealed secrets, for re-encryption. */
export interface SealedRow extends SealedTokenColumns {
  id: string;
}

export interface ConnectionStore {
  findById(id: string): Promise<ConnectionRecord | undefined>;
  findByOpenId(openId: string): Promise<ConnectionRecord | undefined>;
  /** The connection's shops, current first then removed, each group by region and name. */
  listShops(connectionId: string): Promise<ShopRecord[]>;
  /**
   * Stores a seller authorization in one transaction: a new connection for an unknown `open_id`,
   * otherwise the existing one updated (new tokens, `token_version + 1`, status back to active).
   * `seal` is called with the connection's id, so the ciphertext is bound to the row it lands in,
   * also when a concurrent request created the row first. Writes `connection.created` or
   * `connection.reauthorized` to the outbox in the same transaction.
   */
  saveAuthorization(input: AuthorizationToSave, seal: (connectionId: string) => SealedTokenColumns): Promise<SavedAuthorization>;
  /** Up to `limit` rows with an id greater than `afterId`, in id order. */
  listSealed(afterId: string, limit: number): Promise<SealedRow[]>;
  /**
   * Replaces a row's sealed tokens only if both ciphertexts are still `expected` (compare-and-set),
   * so a refresh that wrote new tokens meanwhile is never overwritten. Does not bump `token_version`:
   * the tokens are the same, only their encryption changed.
   */
  replaceSealed(id: string, expected: SealedTokenColumns, next: SealedTokenColumns): Promise<boolean>;
}

export function createConnectionStore(db: Database): ConnectionStore {
  const { prisma } = db;
  return {
    async findById(id) {
      const row = await prisma.connection.findUnique({ where: { id } });
      return row ? toConnection(row) : undefined;
    },
    async findByOpenId(openId) {
      const row = await prisma.connection.findUnique({ where: { openId } });
      return row ? toConnection(row) : undefined;
    },
    async listShops(connectionId) {
      const rows = await prisma.shop.findMany({ where: { connectionId }, orderBy: [{ region: 'asc' }, { name: 'asc' }] });
      const shops = rows.map(toShop);
      return [...shops.filter((shop) => !shop.removedAt), ...shops.filter((shop) => shop.removedAt)];
    },
    saveAuthorization(input, seal) {
      return db.sql.transaction((tx) => saveAuthorization(tx, input, seal));
    },
    async listSealed(afterId, limit) {
      const rows = await db.sql.query<{ id: string; access_token_sealed: string; refresh_token_sealed: string; encryption_key_id: string }>(
        `SELECT id, access_token_sealed, refresh_token_sealed, encryption_key_id FROM connections
          WHERE id > $1 ORDER BY id LIMIT $2`,
        [afterId, limit],
      );
      return rows.map((row) => ({
        id: row.id,
        accessTokenSealed: row.access_token_sealed as Sealed,
        refreshTokenSealed: row.refresh_token_sealed as Sealed,
        encryptionKeyId: row.encryption_key_id,
      }));
    },
    async replaceSealed(id, expected, next) {
      const rows = await db.sql.query(
        `UPDATE connections SET access_token_sealed = $4, refresh_token_sealed = $5, encryption_key_id = $6
          WHERE id = $1 AND access_token_sealed = $2 AND refresh_token_sealed = $3 RETURNING id`,
        [id, expected.accessTokenSealed, expected.refreshTokenSealed, next.accessTokenSealed, next.refreshTokenSealed, next.encryptionKeyId],
      );
      return rows.length === 1;
    },
  };
}

async function saveAuthorization(
  tx: SqlRunner,
  input: AuthorizationToSave,
  seal: (connectionId: string) => SealedTokenColumns,
): Promise<SavedAuthorization> {
  let existingId = await lockByOpenId(tx, input.openId);
  let created = false;
  if (existingId === undefined) {
    const id = randomUUID();
    const sealed = seal(id);
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO connections (id, open_id, user_type, seller_name, seller_base_region, merchant_ref,
         created_by_api_client_id, status, granted_scopes, access_token_sealed, refresh_token_sealed,
         encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, token_version,
         authorized_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $10, $11, $12, $13, $14, 1, $15, $15, $15)
       ON CONFLICT (open_id) DO NOTHING RETURNING id`,
      [
        id, input.openId, input.userType, input.sellerName, input.sellerBaseRegion, input.merchantRef, input.apiClientId,
        input.grantedScopes, sealed.accessTokenSealed, sealed.refreshTokenSealed, sealed.encryptionKeyId,
        input.accessTokenExpiresAt, input.refreshTokenExpiresAt, input.refreshDueAt, input.authorizedAt,
      ],
    );
    if (inserted[0]) {
      existingId = id;
      created = true;
    } else {
      // Another request stored this seller between our lookup and insert: update its row instead.
      existingId = await lockByOpenId(tx, input.openId);
      if (existingId === undefined) throw new Error('connection vanished while saving an authorization');
    }
  }
  const connectionId = existingId;
  if (!created) {
    const sealed = seal(connectionId);
    await tx.query(
      `UPDATE connections SET user_type = $2, seller_name = $3, seller_base_region = $4,
         merchant_ref = COALESCE(merchant_ref, $5),
         -- A merchant re-authorizing never lifts an administrator's suspension; only Resume does.
         status = CASE WHEN status = 'suspended' THEN status ELSE 'active' END,
         status_reason = CASE WHEN status = 'suspended' THEN status_reason ELSE NULL END, granted_scopes = $6,
         access_token_sealed = $7, refresh_token_sealed = $8, encryption_key_id = $9,
         access_token_expires_at = $10, refresh_token_expires_at = $11, refresh_due_at = $12,
         token_version = token_version + 1, refresh_failure_count = 0, last_refresh_error = NULL,
         refresh_outcome_unknown_at = NULL, claim_owner = NULL, claim_expires_at = NULL,
         expiry_warning_days = NULL, authorized_at = $13, updated_at = $13
       WHERE id = $1`,
      [
        connectionId, input.userType, input.sellerName, input.sellerBaseRegion, input.merchantRef, input.grantedScopes,
        sealed.accessTokenSealed, sealed.refreshTokenSealed, sealed.encryptionKeyId,
        input.accessTokenExpiresAt, input.refreshTokenExpiresAt, input.refreshDueAt, input.authorizedAt,
      ],
    );
  }
  const removedShopIds = await saveShops(tx, connectionId, input.shops, input.authorizedAt);
  await tx.query('INSERT INTO outbox_events (type, connection_id, payload, created_at) VALUES ($1, $2, $3, $4)', [
    created ? 'connection.created' : 'connection.reauthorized',
    connectionId,
    JSON.stringify({
      connectionId,
      sellerName: input.sellerName,
      merchantRef: input.merchantRef,
      shopIds: input.shops.map((shop) => shop.id),
      removedShopIds,
      grantedScopes: input.grantedScopes,
    }),
    input.authorizedAt,
  ]);
  return { connectionId, created, removedShopIds };
}

async function lockByOpenId(tx: SqlRunner, openId: string): Promise<string | undefined> {
  const rows = await tx.query<{ id: string }>('SELECT id FROM connections WHERE open_id = $1 FOR UPDATE', [openId]);
  return rows[0]?.id;
}

/** Upserts the authorized shops (returning shops lose `removed_at`); marks the others removed. */
async function saveShops(tx: SqlRunner, connectionId: string, shops: AuthorizedShop[], at: Date): Promise<string[]> {
  for (const shop of shops) {
    await tx.query(
      `INSERT INTO shops (id, connection_id, cipher, code, name, region, seller_type, removed_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $8)
       ON CONFLICT (id) DO UPDATE SET connection_id = EXCLUDED.connection_id, cipher = EXCLUDED.cipher,
         code = EXCLUDED.code, name = EXCLUDED.name, region = EXCLUDED.region, seller_type = EXCLUDED.seller_type,
         removed_at = NULL, updated_at = EXCLUDED.updated_at`,
      [shop.id, connectionId, shop.cipher, shop.code || null, shop.name, shop.region, shop.sellerType || null, at],
    );
  }
  const removed = await tx.query<{ id: string }>(
    `UPDATE shops SET removed_at = $3, updated_at = $3
      WHERE connection_id = $1 AND removed_at IS NULL AND NOT (id = ANY($2::text[])) RETURNING id`,
    [connectionId, shops.map((shop) => shop.id), at],
  );
  return removed.map((row) => row.id).sort();
}
