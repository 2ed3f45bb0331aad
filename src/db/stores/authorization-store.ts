import { randomUUID } from 'node:crypto';
import type { Connection, ConnectionStatus, Shop } from '../../connections/model.js';
import type { Sealed } from '../../shared/sealed.js';
import type { SqlClient, SqlRunner } from '../sql.js';
import { allConnectionFields, allShopFields, mapConnection, mapShop, selectConnection, selectShop } from './connection-rows.js';
import { createLifecycleStore, type EventWrite, type TransitionWrite } from './lifecycle-store.js';

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
  /** The TikTok Shop app the seller authorized: one connection per app and seller. */
  app: string;
  openId: string;
  userType: number;
  sellerName: string;
  sellerBaseRegion: string | null;
  merchantRef: string | null;
  apiClientId: string | null;
  /** null: TikTok's answer listed none, so they are unknown; a re-authorization then keeps the last known list. */
  grantedScopes: string[] | null;
  accessTokenExpiresAt: Date;
  refreshTokenExpiresAt: Date;
  refreshDueAt: Date;
  authorizedAt: Date;
  shops: AuthorizedShop[];
}

/** The lifecycle's writes for a saved authorization: the new connection's event, or the re-authorization's move. */
export interface AuthorizationEvents {
  /** `removedShopIds`: shops of the connection that left the authorization (marked removed now). */
  created(connectionId: string, removedShopIds: string[]): EventWrite;
  /** `previous`: the status the connection had before this authorization. */
  reauthorized(connectionId: string, previous: ConnectionStatus, removedShopIds: string[]): TransitionWrite;
}

/** What a shop re-sync changed: the shops the authorization covers now, and the difference. */
export interface ShopChanges {
  shopIds: string[];
  addedShopIds: string[];
  removedShopIds: string[];
}

export interface SavedAuthorization {
  connectionId: string;
  /** false: the seller was known and its connection was re-authorized. */
  created: boolean;
  /** Shops of the connection that are no longer in the authorization (marked removed now). */
  removedShopIds: string[];
}

/**
 * Seller authorizations: stored in one transaction with their shops and their lifecycle event, and
 * read back whole. Status moves and events are written by the lifecycle store, inside that transaction.
 */
export interface AuthorizationStore {
  findById(id: string): Promise<Connection | undefined>;
  findByOpenId(app: string, openId: string): Promise<Connection | undefined>;
  exists(id: string): Promise<boolean>;
  /** The connection's shops, current first then removed, each group by region and name. */
  listShops(connectionId: string): Promise<Shop[]>;
  /**
   * Stores a seller authorization in one transaction: a new connection for an unknown `open_id`,
   * otherwise the existing one updated (new tokens, `token_version + 1`) and moved by the lifecycle.
   * `seal` is called with the connection's id, so the ciphertext is bound to the row it lands in,
   * also when a concurrent request created the row first. Writes `connection.created`, or the
   * re-authorization's move with `connection.reauthorized`, in the same transaction.
   */
  saveAuthorization(input: AuthorizationToSave, seal: (connectionId: string) => SealedTokenColumns, events: AuthorizationEvents): Promise<SavedAuthorization>;
  /**
   * Stores TikTok's current list of the connection's authorized shops (#11 item 8): new shops are
   * added, returning ones lose `removed_at`, missing ones are marked removed, under the connection's
   * row lock. Writes nothing when the list is what is stored (one read); `event` (added or removed
   * shops only) is written in the same transaction. Undefined for an unknown connection.
   */
  syncShops(connectionId: string, shops: AuthorizedShop[], at: Date, event: (changes: ShopChanges) => EventWrite): Promise<ShopChanges | undefined>;
}

const connectionSelect = selectConnection(allConnectionFields);

export function createAuthorizationStore(sql: SqlClient): AuthorizationStore {
  const findOne = async (where: string, values: string[]) => {
    const [row] = await sql.query<Record<string, unknown>>(`SELECT ${connectionSelect} FROM connections WHERE ${where}`, values);
    return row ? mapConnection(row, allConnectionFields) : undefined;
  };
  return {
    findById: (id) => findOne('id = $1', [id]),
    findByOpenId: (app, openId) => findOne('app = $1 AND open_id = $2', [app, openId]),
    async exists(id) {
      return (await sql.query('SELECT 1 FROM connections WHERE id = $1', [id])).length > 0;
    },
    async listShops(connectionId) {
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT ${selectShop(allShopFields)} FROM shops WHERE connection_id = $1 ORDER BY (removed_at IS NOT NULL), region, name`,
        [connectionId],
      );
      return rows.map((row) => mapShop(row, allShopFields));
    },
    saveAuthorization(input, seal, events) {
      return sql.transaction((tx) => saveAuthorization(tx, input, seal, events));
    },
    syncShops(connectionId, shops, at, event) {
      return sql.transaction((tx) => syncShops(tx, connectionId, shops, at, event));
    },
  };
}

async function saveAuthorization(
  tx: SqlRunner,
  input: AuthorizationToSave,
  seal: (connectionId: string) => SealedTokenColumns,
  events: AuthorizationEvents,
): Promise<SavedAuthorization> {
  let existing = await lockByOpenId(tx, input.app, input.openId);
  let existingId = existing?.id;
  let created = false;
  if (existingId === undefined) {
    const id = randomUUID();
    const sealed = seal(id);
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO connections (id, app, open_id, user_type, seller_name, seller_base_region, merchant_ref,
         created_by_api_client_id, status, granted_scopes, scopes_known, access_token_sealed, refresh_token_sealed,
         encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, token_version,
         authorized_at, created_at, updated_at)
       VALUES ($1, $16, $2, $3, $4, $5, $6, $7, 'active', COALESCE($8::text[], '{}'), $8::text[] IS NOT NULL,
         $9, $10, $11, $12, $13, $14, 1, $15, $15, $15)
       ON CONFLICT (app, open_id) DO NOTHING RETURNING id`,
      [
        id, input.openId, input.userType, input.sellerName, input.sellerBaseRegion, input.merchantRef, input.apiClientId,
        input.grantedScopes, sealed.accessTokenSealed, sealed.refreshTokenSealed, sealed.encryptionKeyId,
        input.accessTokenExpiresAt, input.refreshTokenExpiresAt, input.refreshDueAt, input.authorizedAt, input.app,
      ],
    );
    if (inserted[0]) {
      existingId = id;
      created = true;
    } else {
      // Another request stored this seller between our lookup and insert: update its row instead.
      existing = await lockByOpenId(tx, input.app, input.openId);
      existingId = existing?.id;
      if (existingId === undefined) throw new Error('connection vanished while saving an authorization');
    }
  }
  const connectionId = existingId;
  if (!created) {
    const sealed = seal(connectionId);
    await tx.query(
      `UPDATE connections SET user_type = $2, seller_name = $3, seller_base_region = $4,
         merchant_ref = COALESCE(merchant_ref, $5),
         granted_scopes = COALESCE($6::text[], granted_scopes), scopes_known = scopes_known OR $6::text[] IS NOT NULL,
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
  const removedShopIds = await saveShops(tx, connectionId, input.app, input.shops, input.authorizedAt);
  const lifecycle = createLifecycleStore(tx);
  const written = created
    ? await lifecycle.appendEvent(connectionId, events.created(connectionId, removedShopIds), input.authorizedAt)
    : await lifecycle.applyTransition(events.reauthorized(connectionId, existing!.status, removedShopIds));
  // Under the row lock nothing can move the connection between the read and the write.
  if (!written) throw new Error(`the lifecycle refused to record the authorization of connection ${connectionId}`);
  return { connectionId, created, removedShopIds };
}

async function syncShops(
  tx: SqlRunner,
  connectionId: string,
  shops: AuthorizedShop[],
  at: Date,
  event: (changes: ShopChanges) => EventWrite,
): Promise<ShopChanges | undefined> {
  const [locked] = await tx.query<{ app: string }>('SELECT app FROM connections WHERE id = $1 FOR UPDATE', [connectionId]);
  if (!locked) return undefined;
  const current = await tx.query<{ id: string; cipher: string; code: string | null; name: string; region: string; seller_type: string | null }>(
    'SELECT id, cipher, code, name, region, seller_type FROM shops WHERE connection_id = $1 AND removed_at IS NULL',
    [connectionId],
  );
  const stored = new Map(current.map((row) => [row.id, row]));
  const shopIds = shops.map((shop) => shop.id).sort();
  const addedShopIds = shopIds.filter((id) => !stored.has(id));
  const unchanged =
    addedShopIds.length === 0 &&
    current.length === shops.length &&
    shops.every((shop) => {
      const row = stored.get(shop.id)!;
      return row.cipher === shop.cipher && row.name === shop.name && row.region === shop.region
        && (row.code ?? '') === shop.code && (row.seller_type ?? '') === shop.sellerType;
    });
  if (unchanged) return { shopIds, addedShopIds: [], removedShopIds: [] };
  const removedShopIds = await saveShops(tx, connectionId, locked.app, shops, at);
  const changes = { shopIds, addedShopIds, removedShopIds };
  if (addedShopIds.length > 0 || removedShopIds.length > 0) {
    await createLifecycleStore(tx).appendEvent(connectionId, event(changes), at);
  }
  return changes;
}

async function lockByOpenId(tx: SqlRunner, app: string, openId: string): Promise<{ id: string; status: ConnectionStatus } | undefined> {
  const rows = await tx.query<{ id: string; status: ConnectionStatus }>(
    'SELECT id, status::text AS status FROM connections WHERE app = $1 AND open_id = $2 FOR UPDATE',
    [app, openId],
  );
  return rows[0];
}

/** Upserts the authorized shops of the connection's app (returning shops lose `removed_at`); marks the others removed. */
async function saveShops(tx: SqlRunner, connectionId: string, app: string, shops: AuthorizedShop[], at: Date): Promise<string[]> {
  for (const shop of shops) {
    await tx.query(
      `INSERT INTO shops (id, app, connection_id, cipher, code, name, region, seller_type, removed_at, created_at, updated_at)
       VALUES ($1, $9, $2, $3, $4, $5, $6, $7, NULL, $8, $8)
       ON CONFLICT (id, app) DO UPDATE SET connection_id = EXCLUDED.connection_id, cipher = EXCLUDED.cipher,
         code = EXCLUDED.code, name = EXCLUDED.name, region = EXCLUDED.region, seller_type = EXCLUDED.seller_type,
         removed_at = NULL, updated_at = EXCLUDED.updated_at`,
      [shop.id, connectionId, shop.cipher, shop.code || null, shop.name, shop.region, shop.sellerType || null, at, app],
    );
  }
  const removed = await tx.query<{ id: string }>(
    `UPDATE shops SET removed_at = $3, updated_at = $3
      WHERE connection_id = $1 AND removed_at IS NULL AND NOT (id = ANY($2::text[])) RETURNING id`,
    [connectionId, shops.map((shop) => shop.id), at],
  );
  return removed.map((row) => row.id).sort();
}
